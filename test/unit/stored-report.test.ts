import { describe, expect, it } from 'vitest';
import type { Report } from '../../shared/domain/check-return.ts';
import { type StoredReport, storedReportText } from '../../shared/domain/stored-report.ts';
import { SUPPORTED_LOCALES } from '../../shared/i18n/locale.ts';
import { loadLocales } from '../../shared/i18n/render.ts';
import { aReturn, readCsv } from '../support/builders.ts';

// Renders in every language: the catalogues are loaded once, as the edges load them.
await loadLocales(SUPPORTED_LOCALES);

/** A report as S3 holds it: written by today's ingest, read back as JSON. */
async function storedFor(report: Report): Promise<StoredReport> {
  const stored: StoredReport = {
    submission: {
      id: 'sub-1',
      operation: 'test-op',
      country: 'BR',
      key: 'incoming/test-op/BR/u1/br-return.csv',
      uploadId: 'u1',
      size: 120,
      sha256: 'ab'.repeat(32),
      receivedAt: '2025-11-12T10:00:00.000Z',
      orderKey: '0001',
    },
    processedAt: '2025-11-12T10:00:01.000Z',
    validatorVersion: '1',
    report,
    figures: null,
    outcome: null,
  };
  return JSON.parse(JSON.stringify(stored)) as StoredReport;
}

async function aRejectedReport(): Promise<Report> {
  const csv = aReturn().withRow('2025-11-10', 'arrests', '1,200').withRow('2025-12-01', 'arrests', 3).csv();
  return (await readCsv(csv)).report;
}

describe('a stored report', () => {
  it('keeps each problem as a code, a variant and parameters', async () => {
    const stored = await storedFor(await aRejectedReport());

    expect(stored.report.problems.map((p) => [p.code, p.variant ?? null, p.params])).toEqual([
      ['bad-value', 'separators', { value: '1,200', digits: '1200' }],
      ['date-outside-window', null, { value: '2025-12-01', start: '2025-11-10', end: '2025-11-12' }],
    ]);
  });

  it('reads in Spanish tomorrow what was written today', async () => {
    const text = storedReportText(await storedFor(await aRejectedReport()), 'es');

    expect(text).toContain('br-return.csv: RECHAZADO');
    expect(text).toContain('envío sub-1');
    expect(text).toContain('1,200 tiene separadores de miles.');
    expect(text).toContain('Escriba el número sin separadores: 1200.');
    expect(text).toContain('entre el 10 de noviembre de 2025 y el 12 de noviembre de 2025');
  });

  it('still reads a report stored before problems carried parameters, with its stored sentences', async () => {
    const report = await aRejectedReport();
    const old: Report = {
      ...report,
      problems: report.problems.map(({ variant: _v, params: _p, ...rest }) => rest),
    };

    const text = storedReportText(await storedFor(old), 'fr');

    expect(text).toContain('br-return.csv: REFUSÉE');
    expect(text).toContain('1,200 has thousands separators.');
    expect(text).toContain('Write the number without separators: 1200.');
  });

  it('reads in English by default, as the text report always did', async () => {
    const text = storedReportText(await storedFor(await aRejectedReport()));

    expect(text).toContain('REJECTED');
    expect(text).toContain('2 rows read · 2 errors · 0 warnings');
    expect(text).toContain('sha256 abab');
  });
});
