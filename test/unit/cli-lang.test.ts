import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { cliLocale, parseLang } from '../../cli/lang.ts';
import { validateText } from '../../cli/validate.ts';
import { SUPPORTED_LOCALES } from '../../shared/i18n/locale.ts';
import { loadLocales } from '../../shared/i18n/render.ts';
import { liberterraIII, readCsv } from '../support/builders.ts';

await loadLocales(SUPPORTED_LOCALES);

describe('the language the CLI writes in', () => {
  it('takes --lang first', () => {
    expect(cliLocale('fr', { OPTALLY_LANG: 'es', LANG: 'ar_EG.UTF-8' }, 'en-US')).toBe('fr');
  });

  it('takes OPTALLY_LANG without --lang', () => {
    expect(cliLocale(undefined, { OPTALLY_LANG: 'es', LANG: 'ar_EG.UTF-8' }, 'en-US')).toBe('es');
  });

  it('falls back to the system locale: LC_ALL, then LANG, then what the runtime reports', () => {
    expect(cliLocale(undefined, { LC_ALL: 'fr_CA.UTF-8', LANG: 'es_ES.UTF-8' }, 'en-US')).toBe('fr');
    expect(cliLocale(undefined, { LANG: 'ar_EG.UTF-8' }, 'en-US')).toBe('ar');
    expect(cliLocale(undefined, { LANG: 'C.UTF-8' }, 'es-419')).toBe('es');
  });

  it('writes English when nothing names a supported language', () => {
    expect(cliLocale(undefined, { LANG: 'de_DE.UTF-8' }, 'de-DE')).toBe('en');
  });

  it('accepts a tag of a supported language for --lang, and refuses others with the choices', () => {
    expect(parseLang('fr-CA')).toBe('fr');
    expect(() => parseLang('de')).toThrow(InvalidArgumentError);
    expect(() => parseLang('de')).toThrow(/en, fr, es or ar/);
  });
});

// The README's validation report shows the three typical mistakes: a date outside the window, a
// misspelt metric (`arests`) and a bad value (`-3`).
const TYPICAL_MISTAKES =
  'date,metric,value\n2025-12-01,arrests,3\n2025-11-12,arests,1\n2025-11-13,arrests,-3\n';

describe('optally validate prints the three typical mistakes in each language', () => {
  for (const locale of SUPPORTED_LOCALES) {
    it(`in ${locale}`, async () => {
      const operation = liberterraIII();
      const { report } = await readCsv(TYPICAL_MISTAKES, { operation, country: 'BR' });
      expect(report.problems.map((p) => p.code)).toEqual([
        'date-outside-window',
        'unknown-metric',
        'bad-value',
      ]);
      const text = validateText(
        { report },
        {
          path: 'br-return.csv',
          fileName: 'br-return.csv',
          operation: operation.id,
          country: 'BR',
          definition: operation,
        },
        locale,
      );
      expect(text).toMatchSnapshot();
    });
  }

  it('keeps codes, values and row numbers identical across the languages', async () => {
    const operation = liberterraIII();
    const { report } = await readCsv(TYPICAL_MISTAKES, { operation, country: 'BR' });
    const facts = (text: string) => [...text.matchAll(/"[^"]*"|\b[a-z]+(?:-[a-z]+)+\b/g)].map((m) => m[0]);
    const subject = { path: 'r.csv', fileName: 'r.csv', operation: operation.id, definition: operation };
    const english = facts(validateText({ report }, subject, 'en'));
    for (const locale of ['fr', 'es', 'ar'] as const) {
      const translated = validateText({ report }, subject, locale);
      expect(translated).not.toBe(validateText({ report }, subject, 'en'));
      for (const fact of [
        '"2025-12-01"',
        '"arests"',
        '"-3"',
        'date-outside-window',
        'unknown-metric',
        'bad-value',
      ]) {
        expect(english).toContain(fact);
        expect(facts(translated)).toContain(fact);
      }
    }
  });
});
