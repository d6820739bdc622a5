import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  isProvisionalFormat,
  PROVISIONAL_COLUMNS,
  provisionalCsv,
  provisionalFileName,
  provisionalRows,
  provisionalXlsx,
} from '../../shared/domain/provisional-export.ts';
import { type CountryState, type RollupView, rollup } from '../../shared/domain/rollup.ts';
import { loadLocale } from '../../shared/i18n/render.ts';
import { aCountryState, anOperation } from '../support/builders.ts';

const MOMENT = { exportedAt: '2025-11-12T12:00:00.000Z', asOf: null };

/** BR reported arrests 3 + 4 and victims 9 (4 sexual exploitation, 0 forced labour); FR arrests 0. */
function aRollup(names: Record<string, string> = {}): RollupView {
  const op = anOperation({
    participants: [
      { code: 'BR', name: names.BR ?? 'Brazil', region: 'Americas' },
      { code: 'FR', name: 'France', region: 'Europe' },
      { code: 'KE', name: 'Kenya', region: 'Africa' },
    ],
  });
  const br = aCountryState(op, 'BR', {
    '2025-11-10': { arrests: 3, victims_safeguarded: 9 },
    '2025-11-11': { arrests: 4 },
  });
  const states: CountryState[] = [
    {
      ...br,
      figures: {
        ...br.figures,
        byBreakdown: {
          victims_safeguarded: { 'exploitation=sexual_exploitation': 4, 'exploitation=forced_labour': 0 },
        },
      },
    },
    aCountryState(op, 'FR', { '2025-11-10': { arrests: 0 } }, { rev: 3 }),
  ];
  return { ...rollup(op, states, 2), status: 'open' };
}

/** A CSV text's rows (no quoted line breaks in these files), the byte order mark left out. */
function csvRows(text: string): string[][] {
  expect(text.startsWith('\uFEFF')).toBe(true);
  return text
    .slice(1)
    .split('\r\n')
    .slice(0, -1)
    .map((line) => line.split(','));
}

beforeAll(async () => {
  await loadLocale('fr');
});

describe('provisional figures rows', () => {
  const r = aRollup();
  const rows = provisionalRows(r);
  const find = (level: string, area: string, metric: string, breakdown: string | null = null) =>
    rows.filter(
      (x) => x[0] === level && x[1] === area && x[3] === metric && x[5] === breakdown && x[4] === null,
    );

  it('has a row for every reported figure, a reported 0 included, and none for a figure not reported', () => {
    expect(find('global', '_T', 'arrests')).toEqual([['global', '_T', null, 'arrests', null, null, 7]]);
    expect(find('country', 'FR', 'arrests')).toEqual([['country', 'FR', 'France', 'arrests', null, null, 0]]);
    expect(find('country', 'FR', 'victims_safeguarded')).toEqual([]);
    expect(find('region', 'Africa', 'arrests')).toEqual([]);
    expect(rows.filter((x) => x[1] === 'KE')).toEqual([]);
  });

  it('carries the breakdowns globally, by region and by country, 0 apart from not reported', () => {
    const key = 'exploitation=forced_labour';
    expect(find('global', '_T', 'victims_safeguarded', key)[0]?.[6]).toBe(0);
    expect(find('region', 'Americas', 'victims_safeguarded', key)[0]?.[6]).toBe(0);
    expect(find('country', 'BR', 'victims_safeguarded', 'exploitation=sexual_exploitation')[0]?.[6]).toBe(4);
    expect(find('global', '_T', 'victims_safeguarded', 'exploitation=other')).toEqual([]);
  });

  it('carries the global figures by day', () => {
    expect(rows.filter((x) => x[0] === 'day' && x[3] === 'arrests')).toEqual([
      ['day', '_T', null, 'arrests', '2025-11-10', null, 3],
      ['day', '_T', null, 'arrests', '2025-11-11', null, 4],
    ]);
  });
});

describe('provisional CSV', () => {
  it('starts with the stamp, then a blank row, the canonical header and the figures', () => {
    const r = aRollup();
    const rows = csvRows(provisionalCsv(r, MOMENT, 'en'));

    expect(rows[0]).toEqual(['status', 'provisional']);
    expect(rows.find((x) => x[0] === 'figures_version')?.[1]).toBe(String(r.version));
    expect(rows.find((x) => x[0] === 'figures_updated_at')?.[1]).toBe(r.updatedAt);
    expect(rows.find((x) => x[0] === 'exported_at')?.[1]).toBe(MOMENT.exportedAt);
    expect(rows.find((x) => x[0] === 'missing')?.[1]).toBe('KE');
    expect(rows.find((x) => x[0] === 'title')?.[1]).toContain('PROVISIONAL');
    const header = rows.findIndex((x) => x.join(',') === PROVISIONAL_COLUMNS.join(','));
    expect(header).toBeGreaterThan(0);
    expect(rows[header - 1]).toEqual(['']);
    expect(rows.slice(header + 1)).toHaveLength(provisionalRows(r).length);
    expect(rows[header + 1]).toEqual(['global', '_T', '', 'arrests', '', '', '7']);
  });

  it('writes the stamp’s sentences in the reader’s language, codes and columns unchanged', () => {
    const rows = csvRows(provisionalCsv(aRollup(), MOMENT, 'fr'));

    expect(rows.find((x) => x[0] === 'title')?.join(',')).toContain('PROVISOIRES');
    expect(rows[0]).toEqual(['status', 'provisional']);
    expect(rows.some((x) => x.join(',') === PROVISIONAL_COLUMNS.join(','))).toBe(true);
  });

  it('defuses a name a spreadsheet would run as a formula', () => {
    const text = provisionalCsv(aRollup({ BR: '=HYPERLINK("http://x")' }), MOMENT, 'en');

    expect(text).toContain(`"'=HYPERLINK(""http://x"")"`);
  });
});

describe('provisional workbook', () => {
  it('has a title row saying PROVISIONAL with the version, the canonical header, the figures as numbers, and an About sheet', async () => {
    const r = aRollup();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await provisionalXlsx(r, MOMENT, 'en')) as unknown as ArrayBuffer);

    const figures = wb.getWorksheet('figures')!;
    expect(String(figures.getCell('A1').value)).toContain('PROVISIONAL');
    expect(String(figures.getCell('A1').value)).toContain(String(r.version));
    expect((figures.getRow(2).values as unknown[]).slice(1)).toEqual([...PROVISIONAL_COLUMNS]);
    expect(figures.rowCount).toBe(2 + provisionalRows(r).length);
    expect(figures.getCell('G3').value).toBe(7);
    const about = wb.getWorksheet('About')!;
    expect(about.getCell('A1').value).toBe('status');
    expect(about.getCell('B1').value).toBe('provisional');
    const version = (about.getSheetValues() as unknown[][]).find((row) => row?.[1] === 'figures_version');
    expect(version?.[2]).toBe(r.version);
  });

  it('reads right to left in Arabic, the stamp in Arabic', async () => {
    await loadLocale('ar');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await provisionalXlsx(aRollup(), MOMENT, 'ar')) as unknown as ArrayBuffer);

    expect(wb.getWorksheet('figures')?.views[0]?.rightToLeft).toBe(true);
    expect(String(wb.getWorksheet('figures')?.getCell('A1').value)).toContain('مؤقتة');
  });
});

describe('provisional file names and formats', () => {
  it('names the file after the operation and the figures version', () => {
    expect(provisionalFileName({ operation: 'test-op', version: 2_000_000_004 }, 'xlsx')).toBe(
      'test-op-provisional-v2000000004.xlsx',
    );
    expect(isProvisionalFormat('csv')).toBe(true);
    expect(isProvisionalFormat('json')).toBe(false);
  });
});
