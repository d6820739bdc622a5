import { createRequire } from 'node:module';
import type { Countries } from 'world-countries';
import { m49Region } from './m49-regions.ts';
import type { Participant, Region } from './operation.ts';

/**
 * Build-time helper (not bundled into any Lambda): resolves loosely spelled country names, as
 * published in press releases ("Burkina-Faso", "Cote d’Ivoire", "Congo (Democratic Rep.)",
 * "Turks & Caicos (UK)"), to ISO 3166-1 alpha-2 codes with the world-countries data set, and
 * gives each its UN M49 top-level region from the M49 table itself (`m49-regions.ts`): the
 * data set's own regions differ from M49's (it puts Cyprus in Europe).
 */

/** Lower-case, without accents, punctuation or "&", single-spaced. */
export function normalizeCountryName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/['’`´.]/g, '')
    .replace(/[^a-z0-9()]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const countries: Countries = createRequire(import.meta.url)('world-countries');

type Entry = {
  code: string;
  name: string;
  region: Region | undefined;
  names: string[];
  shortNames: string[];
};

const entries: Entry[] = countries.map((c) => ({
  code: c.cca2,
  name: c.name.common,
  region: m49Region(c.cca2),
  names: [c.name.common, c.name.official, ...c.altSpellings].map(normalizeCountryName),
  // "Republic of Cabo Verde" → "cabo verde": a form of state dropped, tried after the full names.
  shortNames: [c.name.official, ...c.altSpellings]
    .map(normalizeCountryName)
    .map(
      (n) => /^(?:\w+ )*?(?:republic|kingdom|state|principality|commonwealth) of (?:the )?(.+)$/.exec(n)?.[1],
    )
    .filter((n): n is string => n !== undefined),
}));

/**
 * The spellings to try for one name, most specific first: as written; a parenthesised qualifier
 * moved to the front ("Congo (Democratic Rep.)" → "Democratic Republic of the Congo"); the
 * qualifier dropped ("Turks & Caicos (UK)" → "Turks & Caicos").
 */
function candidates(name: string): string[] {
  const n = normalizeCountryName(name);
  const m = /^(.*?)\s*\((.*)\)$/.exec(n);
  if (!m) return [n];
  const [, base = '', qualifier = ''] = m;
  const q = qualifier.replace(/\brep\b/g, 'republic');
  return [`${q} of the ${base}`, `${q} of ${base}`, `${q} ${base}`, base];
}

/** A resolved name, or why it could not be resolved. */
export type CountryResolution =
  | { ok: true; input: string; participant: Participant }
  | { ok: false; input: string; reason: string };

/** Resolves one name: an exact match on a known spelling first, else a unique prefix match. */
export function resolveCountry(input: string): CountryResolution {
  for (const candidate of candidates(input)) {
    const tiers = [
      entries.filter((e) => e.names.includes(candidate)),
      entries.filter((e) => e.shortNames.includes(candidate)),
      entries.filter((e) => e.names.some((n) => n.startsWith(`${candidate} `))),
    ];
    const found = tiers.find((t) => t.length > 0) ?? [];
    if (found.length === 1) {
      const [entry] = found as [Entry];
      if (entry.region === undefined) {
        return { ok: false, input, reason: `${entry.code} has no UN M49 region` };
      }
      return { ok: true, input, participant: { code: entry.code, name: entry.name, region: entry.region } };
    }
    if (found.length > 1) {
      return { ok: false, input, reason: `ambiguous: ${found.map((e) => e.code).join(', ')}` };
    }
  }
  return { ok: false, input, reason: 'no country of that name' };
}

/** Splits a published list ("Albania, Algeria, … and Zimbabwe.") into names. */
export function splitCountryList(text: string): string[] {
  const names = text
    .replace(/\.\s*$/, '')
    .split(',')
    .map((s) => s.trim().replace(/^and\s+/, ''))
    .filter((s) => s.length > 0);
  const last = names.pop();
  return last === undefined ? names : [...names, ...splitFinalAnd(last)];
}

/**
 * The last item of a list may join two names ("Algeria and Zimbabwe") or be one name that contains
 * "and" ("Trinidad and Tobago", or both: "Kenya and Trinidad and Tobago"): the reading kept is the
 * one whose parts are all countries; failing that, "and" before a last single word splits.
 */
function splitFinalAnd(item: string): string[] {
  if (resolveCountry(item).ok) return [item];
  const parts = item.split(/\s+and\s+/);
  for (let i = 1; i < parts.length; i++) {
    const left = parts.slice(0, i).join(' and ');
    const right = parts.slice(i).join(' and ');
    if (resolveCountry(left).ok && resolveCountry(right).ok) return [left, right];
  }
  return item
    .split(/\band\s+(?=[A-Z][a-z]+$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
