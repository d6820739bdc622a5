import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type CountryResolution,
  normalizeCountryName,
  resolveCountry,
  splitCountryList,
} from '../../shared/domain/countries.ts';
import { m49Region } from '../../shared/domain/m49-regions.ts';
import { type Participant, REGIONS } from '../../shared/domain/operation.ts';
import { liberterraIII } from '../support/builders.ts';

/** The participants as published in the operation's press release. */
const PUBLISHED_LIST = readFileSync(
  new URL('../fixtures/liberterra-iii-participants.txt', import.meta.url),
  'utf8',
);

function participantOf(resolution: CountryResolution): Participant {
  if (!resolution.ok) throw new Error(`"${resolution.input}" did not resolve: ${resolution.reason}`);
  return resolution.participant;
}

function resolvedPublishedList(): Participant[] {
  return splitCountryList(PUBLISHED_LIST).map((name) => participantOf(resolveCountry(name)));
}

describe('splitCountryList', () => {
  it('splits the published Liberterra III list into 119 names', () => {
    const names = splitCountryList(PUBLISHED_LIST);

    expect(names).toHaveLength(119);
    expect(names[0]).toBe('Albania');
    expect(names.at(-1)).toBe('Zimbabwe');
  });

  it('keeps names that contain "and" whole', () => {
    const names = splitCountryList(PUBLISHED_LIST);

    expect(names).toContain('Bosnia and Herzegovina');
    expect(names).toContain('Trinidad and Tobago');
    expect(names).toContain('Sao Tome and Principe');
  });

  it('splits a final "and" from the name before it', () => {
    expect(splitCountryList('Albania, Algeria and Zimbabwe.')).toEqual(['Albania', 'Algeria', 'Zimbabwe']);
  });

  it('splits a final ", and" (serial comma)', () => {
    expect(splitCountryList('Albania, Algeria, and Zimbabwe.')).toEqual(['Albania', 'Algeria', 'Zimbabwe']);
  });

  it('splits a final "and" between names it cannot resolve', () => {
    expect(splitCountryList('Atlantis, Lemuria and Mu.')).toEqual(['Atlantis', 'Lemuria', 'Mu']);
  });

  it('keeps a last name containing "and" whole', () => {
    expect(splitCountryList('Albania, Bosnia and Herzegovina.')).toEqual([
      'Albania',
      'Bosnia and Herzegovina',
    ]);
  });

  it('splits a final "and" before a last name that itself contains "and"', () => {
    expect(splitCountryList('Albania, Kenya and Trinidad and Tobago.')).toEqual([
      'Albania',
      'Kenya',
      'Trinidad and Tobago',
    ]);
  });
});

describe('resolveCountry', () => {
  it('resolves every published Liberterra III name', () => {
    const failures = splitCountryList(PUBLISHED_LIST)
      .map(resolveCountry)
      .filter((r) => !r.ok);

    expect(failures).toEqual([]);
  });

  it('resolves the 119 published names to 119 distinct codes', () => {
    const codes = resolvedPublishedList().map((p) => p.code);

    expect(new Set(codes).size).toBe(119);
  });

  it.each([
    ['Burkina-Faso', 'BF'],
    ['Cote d’Ivoire', 'CI'],
    ['Côte d\u2019Ivoire', 'CI'],
    ['Congo (Democratic Rep.)', 'CD'],
    ['Congo', 'CG'],
    ['Türkiye', 'TR'],
    ['Turks & Caicos (UK)', 'TC'],
    ['Curacao', 'CW'],
    ['Cabo Verde', 'CV'],
    ['Guinea Bissau', 'GW'],
    ['Guinea', 'GN'],
    ['Niger', 'NE'],
    ['Laos', 'LA'],
    ['Palestine', 'PS'],
    ['Eswatini', 'SZ'],
    ['North Macedonia', 'MK'],
  ])('resolves "%s" to %s', (name, code) => {
    expect(participantOf(resolveCountry(name)).code).toBe(code);
  });

  it('places every published participant in a UN M49 top-level region', () => {
    const regions = new Set(resolvedPublishedList().map((p) => p.region));

    expect([...regions].every((r) => (REGIONS as readonly string[]).includes(r))).toBe(true);
  });

  it.each([
    ['Türkiye', 'Asia'],
    ['Curacao', 'Americas'],
    ['Turks & Caicos (UK)', 'Americas'],
    ['Palestine', 'Asia'],
    ['Cyprus', 'Asia'],
    ['Georgia', 'Asia'],
    ['Kazakhstan', 'Asia'],
  ])('places %s in %s', (name, region) => {
    expect(participantOf(resolveCountry(name)).region).toBe(region);
  });

  it('refuses an ambiguous name, naming the candidates', () => {
    const resolution = resolveCountry('Korea');

    expect(resolution.ok).toBe(false);
    expect(!resolution.ok && resolution.reason).toMatch(/ambiguous: .*KR/);
    expect(!resolution.ok && resolution.reason).toMatch(/KP/);
  });

  it('refuses a name that is no country', () => {
    const resolution = resolveCountry('Atlantis');

    expect(resolution).toEqual({ ok: false, input: 'Atlantis', reason: 'no country of that name' });
  });
});

describe('UN M49 regions', () => {
  it.each([
    ['CY', 'Asia'],
    ['TR', 'Asia'],
    ['GE', 'Asia'],
    ['AM', 'Asia'],
    ['AZ', 'Asia'],
    ['KZ', 'Asia'],
    ['TL', 'Asia'],
    ['RU', 'Europe'],
    ['GL', 'Americas'],
    ['CW', 'Americas'],
    ['TC', 'Americas'],
    ['EG', 'Africa'],
    ['IO', 'Africa'],
    ['PG', 'Oceania'],
    ['UM', 'Oceania'],
  ])('places %s in %s, as the M49 table does', (code, region) => {
    expect(m49Region(code)).toBe(region);
  });

  it('has no region for an area M49 does not place in one (Antarctica)', () => {
    expect(m49Region('AQ')).toBeUndefined();
  });

  it('gives every published Liberterra III participant its M49 region', () => {
    const participants = resolvedPublishedList();

    expect(participants).toHaveLength(119);
    for (const p of participants) expect([p.code, p.region]).toEqual([p.code, m49Region(p.code)]);
  });
});

describe('the shipped Liberterra III definition', () => {
  it('places Cyprus in Asia, as UN M49 does (Western Asia)', () => {
    expect(liberterraIII().participants.find((p) => p.code === 'CY')?.region).toBe('Asia');
  });

  it('lists exactly the published participants, with their codes, names and regions, by code', () => {
    const published = resolvedPublishedList().sort((a, b) => a.code.localeCompare(b.code));

    // Each also names its mails' language and addresses (see notifications.test.ts).
    const listed = liberterraIII().participants.map(({ code, name, region }) => ({ code, name, region }));
    expect(listed).toEqual(published);
  });
});

describe('normalizeCountryName', () => {
  it('drops accents, apostrophes and punctuation and spells "&" out', () => {
    expect(normalizeCountryName('  Côte d’Ivoire ')).toBe('cote divoire');
    expect(normalizeCountryName('Turks & Caicos (UK)')).toBe('turks and caicos (uk)');
    expect(normalizeCountryName('Burkina-Faso')).toBe('burkina faso');
  });
});
