import { readFileSync } from 'node:fs';
import { parse, type Token } from '@messageformat/parser';
import { describe, expect, it } from 'vitest';
import { PROBLEM_CODES, type ProblemCode } from '../../shared/domain/problems.ts';
import type { MessageKey, Params } from '../../shared/i18n/catalogues.generated.ts';
import { compileCatalogues, readCatalogue } from '../../shared/i18n/compile-catalogues.ts';
import { SUPPORTED_LOCALES } from '../../shared/i18n/locale.ts';
import { DATE_PARAMS, loadLocales, problemMessageKeys, renderMessage } from '../../shared/i18n/render.ts';

// Renders in every language: the catalogues are loaded once, as the edges load them.
await loadLocales(SUPPORTED_LOCALES);

/** How a message uses one parameter: as text, as a number (plural, `number`), or as a choice among keys. */
type Use = 'text' | 'number' | `select:${string}`;

/** Every parameter a message names, with how it uses it (`#` is its plural's parameter). */
function parametersOf(source: string): Map<string, Use> {
  const found = new Map<string, Use>();
  const walk = (tokens: Token[]): void => {
    for (const token of tokens) {
      if (token.type === 'argument') {
        if (!found.has(token.arg)) found.set(token.arg, 'text');
      } else if (token.type === 'function') {
        found.set(token.arg, 'number');
      } else if (token.type === 'select') {
        const keys = token.cases.map((c) => c.key).filter((k) => k !== 'other');
        found.set(token.arg, `select:${keys.sort().join('|')}`);
        for (const c of token.cases) walk(c.tokens);
      } else if (token.type === 'plural' || token.type === 'selectordinal') {
        found.set(token.arg, 'number');
        for (const c of token.cases) walk(c.tokens);
      }
    }
  };
  walk(parse(source));
  return found;
}

/** The parameters as a sorted, comparable list, `name:use`; a plain use adapts to a number. */
const signature = (source: string): string[] =>
  [...parametersOf(source)].map(([name, use]) => `${name}:${use === 'number' ? 'text' : use}`).sort();

const catalogues = Object.fromEntries(SUPPORTED_LOCALES.map((l) => [l, readCatalogue(l)]));
const english = catalogues.en!;
const keys = Object.keys(english) as MessageKey[];

describe('the message catalogues', () => {
  it.each(SUPPORTED_LOCALES.filter((l) => l !== 'en'))('%s has exactly the English keys', (locale) => {
    const keysOf = Object.keys(catalogues[locale]!).sort();
    expect(keysOf).toEqual([...keys].sort());
  });

  it.each(SUPPORTED_LOCALES.filter((l) => l !== 'en'))(
    '%s gives every message the same parameters as English',
    (locale) => {
      const differing = keys.filter(
        (k) => signature(catalogues[locale]![k]!).join(',') !== signature(english[k]!).join(','),
      );
      expect(
        differing.map((k) => `${k}: ${signature(catalogues[locale]![k]!)} ≠ ${signature(english[k]!)}`),
      ).toEqual([]);
    },
  );

  it('tells a message with a missing or an extra parameter from the English one', () => {
    const en = 'Row {row} has {cells, plural, one {# cell} other {# cells}}.';
    expect(signature('La ligne {row} a {cells, plural, one {# cellule} other {# cellules}}.')).toEqual(
      signature(en),
    );
    expect(signature('La ligne a {cells, plural, one {# cellule} other {# cellules}}.')).not.toEqual(
      signature(en),
    );
    expect(signature('La ligne {row} {column} a {cells, number} cellules.')).not.toEqual(signature(en));
    expect(signature('{status, select, draft {x} other {y}}')).not.toEqual(
      signature('{status, select, closed {x} other {y}}'),
    );
  });

  it('gives Arabic plurals every category Arabic has, unless they only single out exact numbers', () => {
    const incomplete: string[] = [];
    const walk = (key: string, tokens: Token[]): void => {
      for (const token of tokens) {
        if (token.type === 'plural') {
          const categories = token.cases.map((c) => c.key).filter((k) => !k.startsWith('='));
          const all = ['zero', 'one', 'two', 'few', 'many', 'other'];
          if (categories.some((c) => c !== 'other') && !all.every((c) => categories.includes(c))) {
            incomplete.push(`${key}: ${token.arg} has ${categories.join(', ')}`);
          }
        }
        if (token.type === 'plural' || token.type === 'select')
          for (const c of token.cases) walk(key, c.tokens);
      }
    };
    for (const key of keys) walk(key, parse(catalogues.ar![key]!));
    expect(incomplete).toEqual([]);
  });

  it('has a message and a hint for every problem code', () => {
    const without = (Object.keys(PROBLEM_CODES) as ProblemCode[]).filter((code) => {
      const { message } = problemMessageKeys(code);
      const prefix = message.slice(0, -'.message'.length);
      return !keys.some((k) => k === message || (k.startsWith(`${prefix}.`) && k.endsWith('.message')));
    });
    expect(without).toEqual([]);
    const unpaired = keys
      .filter((k) => k.startsWith('problem.') && k.endsWith('.message'))
      .filter((k) => !keys.includes(k.replace(/\.message$/, '.hint') as MessageKey));
    expect(unpaired).toEqual([]);
  });

  it('is compiled: the generated catalogue modules are what the catalogues compile to', () => {
    const stale = Object.entries(compileCatalogues())
      .filter(
        ([file, source]) =>
          readFileSync(new URL(`../../shared/i18n/${file}`, import.meta.url), 'utf8') !== source,
      )
      .map(([file]) => file);
    expect(stale, 'run: npx tsx shared/i18n/compile-catalogues.ts').toEqual([]);
  });
});

/**
 * Sample parameters for a message, the `variant`-th of several: numbers chosen to reach every
 * plural category in every language (0, 1, 2, 3, 11, 100, 1234567), each select's keys in turn.
 */
function sampleParams(source: string, variant: number): Params {
  const numbers = [0, 1, 2, 3, 11, 100, 1_234_567];
  const params: Record<string, string | number> = {};
  for (const [name, use] of parametersOf(source)) {
    if (use === 'number') params[name] = numbers[variant % numbers.length]!;
    else if (use.startsWith('select:')) {
      const choices = [...use.slice('select:'.length).split('|'), 'something-else'];
      params[name] = choices[variant % choices.length]!;
    } else if ((DATE_PARAMS as readonly string[]).includes(name)) params[name] = '2025-11-10';
    // Made by the renderer from the date itself.
    else if (!DATE_PARAMS.some((d) => name === `${d}Date`)) params[name] = `‹${name}›`;
  }
  return params;
}

describe('rendering every message in every language', () => {
  const variants = [0, 1, 2, 3, 4, 5, 6];
  it.each(SUPPORTED_LOCALES)('leaves no parameter unfilled and no message empty in %s', (locale) => {
    const faults: string[] = [];
    for (const key of keys) {
      for (const variant of variants) {
        const params = sampleParams(english[key]!, variant);
        const text = renderMessage(key, params, locale);
        if (text.trim() === '' && key !== 'figure.not-reported') faults.push(`${key}: empty`);
        if (/\{[A-Za-z][A-Za-z0-9]*\}/.test(text)) faults.push(`${key}: ${text}`);
        if (/undefined|NaN/.test(text)) faults.push(`${key}: ${text}`);
        // A parameter English always shows (outside any plural or select) shows in every language.
        for (const [name, value] of Object.entries(params)) {
          if (typeof value === 'string' && isShownAlways(english[key]!, name) && !text.includes(value)) {
            faults.push(`${key}: drops {${name}}`);
          }
        }
      }
    }
    expect(faults).toEqual([]);
  });
});

/** True when `{name}` appears outside every plural and select of `source`. */
function isShownAlways(source: string, name: string): boolean {
  return parse(source).some((t) => t.type === 'argument' && t.arg === name);
}
