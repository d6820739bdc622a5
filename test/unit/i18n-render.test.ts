import { describe, expect, it } from 'vitest';
import type { Report } from '../../shared/domain/check-return.ts';
import { type Problem, problem } from '../../shared/domain/problems.ts';
import { direction, intlLocale, negotiateLocale, SUPPORTED_LOCALES } from '../../shared/i18n/locale.ts';
import {
  formatDate,
  formatFigure,
  loadLocales,
  renderMessage,
  renderProblem,
} from '../../shared/i18n/render.ts';
import { renderTextReport } from '../../shared/i18n/text-report.ts';
import { aReturn, readCsv } from '../support/builders.ts';

// Renders in every language: the catalogues are loaded once, as the edges load them.
await loadLocales(SUPPORTED_LOCALES);

describe('choosing the language', () => {
  it('takes the best-quality supported language of an Accept-Language header', () => {
    expect(negotiateLocale('de-DE,fr;q=0.8,en;q=0.5')).toBe('fr');
    expect(negotiateLocale('ar-EG,ar;q=0.9,en;q=0.5')).toBe('ar');
    expect(negotiateLocale('en;q=0.2, es-419;q=0.9')).toBe('es');
  });

  it('keeps the order of a list of preferred tags, matching on the language', () => {
    expect(negotiateLocale(['pt-BR', 'es-MX', 'fr'])).toBe('es');
    expect(negotiateLocale(['FR_ca'])).toBe('fr');
  });

  it('falls back to English for nothing, unknown languages, wildcards and refused ones', () => {
    expect(negotiateLocale(undefined)).toBe('en');
    expect(negotiateLocale('')).toBe('en');
    expect(negotiateLocale('*')).toBe('en');
    expect(negotiateLocale('de, ja;q=0.5')).toBe('en');
    expect(negotiateLocale('fr;q=0, es;q=0.1')).toBe('es');
    expect(negotiateLocale('fr;q=abc')).toBe('en');
  });

  it('writes Arabic right to left, with Latin digits for figures', () => {
    expect(direction('ar')).toBe('rtl');
    expect(direction('fr')).toBe('ltr');
    expect(intlLocale('ar')).toBe('ar-u-nu-latn');
  });
});

describe('figures and dates', () => {
  it.each(SUPPORTED_LOCALES)('keeps a reported 0 and a figure not reported apart in %s', (locale) => {
    expect(formatFigure(0, locale)).toBe('0');
    expect(formatFigure(null, locale)).toBe('—');
    expect(formatFigure(undefined, locale)).toBe('—');
  });

  it('groups large figures as each language does, in Latin digits for Arabic too', () => {
    expect(formatFigure(1234567, 'en')).toBe('1,234,567');
    expect(formatFigure(1234567, 'fr').replace(/\s/g, ' ')).toBe('1 234 567');
    expect(formatFigure(1234567, 'es')).toBe('1.234.567');
    expect(formatFigure(1234567, 'ar')).toMatch(/^1.234.567$/);
    expect(formatFigure(1234567, 'ar')).not.toMatch(/[\u0660-\u0669]/);
  });

  it('spells out a window date the same in any time zone', () => {
    // The unit project runs under Pacific/Chatham (UTC+13:45), where UTC midnight is another local day.
    expect(formatDate('2025-11-10', 'en')).toBe('10 November 2025');
    expect(formatDate('2025-11-10', 'fr')).toBe('10 novembre 2025');
    expect(formatDate('2025-11-10', 'es')).toBe('10 de noviembre de 2025');
    expect(formatDate('2025-11-10', 'ar')).toMatch(/^10 نوفمبر 2025$/);
  });

  it('leaves text that is not a date as it is', () => {
    expect(formatDate('2025-13-40', 'fr')).toBe('2025-13-40');
    expect(formatDate('tomorrow', 'fr')).toBe('tomorrow');
  });

  it('chooses Arabic plural forms by count', () => {
    const omitted = (count: number): string => renderMessage('report.omitted', { count }, 'ar');
    expect(omitted(1)).toContain('مشكلة أخرى واحدة');
    expect(omitted(2)).toContain('مشكلتان أخريان');
    expect(omitted(3)).toContain('3 مشكلات أخرى');
    expect(omitted(11)).toContain('11 مشكلة أخرى');
  });
});

describe('a problem as data', () => {
  it('carries its code, variant and parameters, with the English text for older clients', () => {
    const p = problem('bad-value.negative', { row: 3, column: 'value', value: '-1' }, { value: '-1' });

    expect(p).toMatchObject({
      code: 'bad-value',
      variant: 'negative',
      params: { value: '-1' },
      message: '-1 is negative.',
    });
    expect(p.hint).toContain('write 0 or more');
  });

  it('renders the same problem in every language from its parameters', () => {
    const p = problem(
      'date-outside-window',
      { row: 4, column: 'date', value: '2025-12-01' },
      { value: '2025-12-01', start: '2025-11-10', end: '2025-11-21' },
    );

    expect(renderProblem(p, 'en').hint).toBe(
      'Dates must fall between 2025-11-10 and 2025-11-21. The operation runs from 10 November 2025 to 21 November 2025.',
    );
    expect(renderProblem(p, 'fr').hint).toContain('entre le 10 novembre 2025 et le 21 novembre 2025');
    expect(renderProblem(p, 'es').hint).toContain(
      'entre el 10 de noviembre de 2025 y el 21 de noviembre de 2025',
    );
    expect(renderProblem(p, 'ar').message).toContain('2025-12-01');
  });

  it('survives a trip through JSON, as a stored report does', () => {
    const stored = JSON.parse(
      JSON.stringify(
        problem(
          'duplicate-row',
          { row: 5 },
          { existing: 2, metric: 'arrests', breakdown: 'none', date: '2025-11-10' },
        ),
      ),
    ) as Problem;

    expect(renderProblem(stored, 'es').message).toBe('La fila 2 ya da arrests para el 2025-11-10.');
  });

  it('renders a problem stored before messages were data as its stored text, in any language', () => {
    const old = {
      severity: 'error',
      code: 'bad-value',
      row: 3,
      column: 'value',
      value: '-1',
      message: '-1 is negative.',
      hint: 'Write 0 or more.',
    } as const;

    expect(renderProblem(old, 'fr')).toEqual({ message: '-1 is negative.', hint: 'Write 0 or more.' });
  });

  it('keeps a caller’s own English text when given one instead of parameters', () => {
    const p = problem(
      'slot-already-used',
      { value: 'u1' },
      'Upload slot u1 already holds a file.',
      'Ask for a new slot.',
    );

    expect(p.params).toBeUndefined();
    expect(renderProblem(p, 'ar')).toEqual({
      message: 'Upload slot u1 already holds a file.',
      hint: 'Ask for a new slot.',
    });
  });

  it('cuts a long value short in its parameters, so a hostile cell cannot make a huge report', () => {
    const long = 'x'.repeat(10_000);
    const p = problem('bad-value', { row: 2, column: 'value', value: long }, { value: long });

    expect(String(p.params?.value).length).toBeLessThan(120);
    for (const locale of SUPPORTED_LOCALES) expect(renderProblem(p, locale).message.length).toBeLessThan(300);
  });
});

describe('the text report in each language', () => {
  async function rejected(): Promise<Report> {
    const csv = aReturn().withRow('2025-11-10', 'arrests', -1).withRow('2025-11-10', 'arests', 2).csv();
    return (await readCsv(csv)).report;
  }

  it('renders a checker’s report in French, codes and values unchanged', async () => {
    const text = renderTextReport(await rejected(), 'fr', { fileName: 'br.csv' });

    expect(text).toContain('br.csv: REFUSÉE');
    expect(text).toContain('2 lignes lues · 2 erreurs · 0 avertissement');
    expect(text).toContain('Ligne 2, colonne value: "-1"');
    expect(text).toContain('erreur bad-value: -1 est négatif.');
    expect(text).toContain('Vouliez-vous dire « arrests » ?');
    expect(text).toContain('Rien de ce fichier n’a été pris en compte.');
  });

  it('names the operation as its definition translates it', async () => {
    const operation = { name: 'Operation Test', names: { fr: 'Opération Test' } };

    const text = renderTextReport(await rejected(), 'fr', { operation });

    expect(text).toContain('Opération Test ne prévoit pas d’indicateur « arests ».');
    expect(renderTextReport(await rejected(), 'es', { operation })).toContain(
      'Operation Test no tiene ningún',
    );
  });

  it('renders the same report in Arabic with the same row numbers and codes', async () => {
    const text = renderTextReport(await rejected(), 'ar');

    expect(text).toContain('مرفوض');
    expect(text).toContain('الصف 2، العمود value: "-1"');
    expect(text).toContain('bad-value');
    expect(text).toContain('unknown-metric');
    expect(text).not.toMatch(/[\u0660-\u0669]/);
  });

  it('says the same as the English text report in English', async () => {
    const text = renderTextReport(await rejected(), 'en', { submissionId: 's1', sha256: 'ab', size: 1 });

    expect(text).toContain('REJECTED');
    expect(text).toContain('2 rows read · 2 errors · 0 warnings');
    expect(text).toContain('submission s1');
    expect(text).toContain('sha256 ab · 1 byte');
  });

  it('says how long a text cut short was in the reader’s language, the English as made', () => {
    const long = 'x'.repeat(130);
    const p = problem(
      'unknown-metric',
      { row: 2, column: 'metric', value: long },
      { value: long, operation: 'Operation Test', suggestion: 'none', metrics: 'arrests' },
    );
    expect(p.value).toBe(`${'x'.repeat(80)}… (130 characters)`);
    expect(renderProblem(p, 'en').message).toBe(p.message);
    const report: Report = { ...emptyRejected(), problems: [p] };
    for (const [locale, length] of [
      ['fr', '130 caractères'],
      ['es', '130 caracteres'],
      ['ar', '130 حرفًا'],
    ] as const) {
      expect(renderProblem(p, locale).message).toContain(`… (${length})`);
      const text = renderTextReport(report, locale);
      expect(text).toContain(`${'x'.repeat(80)}… (${length})`);
      expect(text).not.toContain('characters');
    }
  });
});

function emptyRejected(): Report {
  return {
    verdict: 'rejected',
    counts: { rows: 1, errors: 1, warnings: 0, byCode: {} },
    problems: [],
    problemsOmitted: 0,
  };
}
