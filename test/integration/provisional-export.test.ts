import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RollupView } from '../../shared/api/responses.ts';
import { PROVISIONAL_COLUMNS } from '../../shared/domain/provisional-export.ts';
import { breakdownByKey } from '../../shared/domain/rollup-breakdowns.ts';
import { freshStack } from '../support/local-servers.ts';

const OP = 'liberterra-iii';
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** One figure of an export, keyed `level|area|metric|date|breakdown`. */
type Figures = Map<string, number>;

function figureKey(
  level: unknown,
  area: unknown,
  metric: unknown,
  date: unknown,
  breakdown: unknown,
): string {
  return [level, area, metric, date ?? '', breakdown ?? ''].join('|');
}

/** What the rollup says, as the rows an export must hold: reported figures only (0 included). */
function figuresOf(r: RollupView): Figures {
  const out: Figures = new Map();
  const put = (level: string, area: string, values: Record<string, number | null>, date = '') => {
    for (const [metric, v] of Object.entries(values))
      if (v !== null) out.set(figureKey(level, area, metric, date, ''), v);
  };
  put('global', '_T', r.totals);
  for (const [region, v] of Object.entries(r.byRegion)) put('region', region, v);
  for (const [country, v] of Object.entries(r.byCountry)) put('country', country, v);
  for (const [date, v] of Object.entries(r.byDay)) put('day', '_T', v, date);
  const b = r.breakdowns!;
  const parts = (level: string, area: string, values: Record<string, (number | null)[]>) => {
    for (const metric of Object.keys(b.keys)) {
      for (const [key, v] of Object.entries(breakdownByKey(b, metric, values[metric]))) {
        if (v !== null) out.set(figureKey(level, area, metric, '', key), v);
      }
    }
  };
  parts('global', '_T', b.totals);
  for (const [region, v] of Object.entries(b.byRegion)) parts('region', region, v);
  for (const [country, v] of Object.entries(b.byCountry)) parts('country', country, v);
  return out;
}

describe('GET /operations/{op}/rollup/export: provisional CSV and XLSX of the live rollup', () => {
  let stack: Awaited<ReturnType<typeof freshStack>>;
  const get = (path: string, token = stack.tokens.coordinator, headers: Record<string, string> = {}) =>
    fetch(`${stack.apiUrl}/operations/${OP}${path}`, {
      headers: { authorization: `Bearer ${token}`, ...headers },
    });
  let rollup: RollupView;

  beforeAll(async () => {
    stack = await freshStack();
    await stack.putReturn(
      `incoming/${OP}/BR/r.csv`,
      'date,metric,breakdown,value\n2025-11-12,arrests,,12\n2025-11-12,victims_safeguarded,,4\n2025-11-12,victims_safeguarded,exploitation=forced_labour,3\n2025-11-12,victims_safeguarded,exploitation=other,0\n',
    );
    await stack.putReturn(`incoming/${OP}/FR/r.csv`, 'date,metric,value\n2025-11-10,arrests,0\n');
    await stack.putReturn(
      `incoming/${OP}/KE/r.csv`,
      'date,metric,breakdown,value\n2025-11-14,victims_safeguarded,,2\n2025-11-14,victims_safeguarded,exploitation=forced_labour,2\n',
    );
    await stack.settled();
    rollup = (await (await get('/rollup')).json()) as RollupView;
  });
  afterAll(async () => {
    await stack.dispose();
  });

  it('serves a rollup carrying the breakdowns: sums by region and globally, 0 apart from not reported', () => {
    const b = rollup.breakdowns!;
    const victims = (v: (number | null)[] | undefined) => breakdownByKey(b, 'victims_safeguarded', v);
    expect(victims(b.totals.victims_safeguarded)).toMatchObject({
      'exploitation=forced_labour': 5,
      'exploitation=other': 0,
      'exploitation=sexual_exploitation': null,
    });
    expect(victims(b.byRegion.Africa?.victims_safeguarded)['exploitation=forced_labour']).toBe(2);
    expect(victims(b.byCountry.FR?.victims_safeguarded)['exploitation=forced_labour']).toBeNull();
  });

  it('answers a CSV stamped provisional with the version and time, whose figures are the rollup’s', async () => {
    const res = await get('/rollup/export?format=csv');

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="${OP}-provisional-v${rollup.version}.csv"`,
    );
    const rows = parse(await res.text(), { bom: true, relax_column_count: true }) as string[][];
    const stamp = new Map(
      rows
        .slice(
          0,
          rows.findIndex((r) => r.length === 1 && r[0] === ''),
        )
        .map((r) => [r[0], r[1]]),
    );
    expect(stamp.get('status')).toBe('provisional');
    expect(stamp.get('figures_version')).toBe(String(rollup.version));
    expect(stamp.get('figures_updated_at')).toBe(rollup.updatedAt);
    expect(stamp.get('title')).toContain('PROVISIONAL');
    const header = rows.findIndex((r) => r.join(',') === PROVISIONAL_COLUMNS.join(','));
    const exported: Figures = new Map(
      rows
        .slice(header + 1)
        .map(([level, area, , metric, date, breakdown, value]) => [
          figureKey(level, area, metric, date, breakdown),
          Number(value),
        ]),
    );
    expect(exported).toEqual(figuresOf(rollup));
    expect(exported.get(figureKey('country', 'FR', 'arrests', '', ''))).toBe(0);
  });

  it('answers an XLSX with a title row and an About sheet stamping it, whose figures are the rollup’s', async () => {
    const res = await get('/rollup/export?format=xlsx', stack.tokens.auditor);

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(XLSX_TYPE);
    expect(res.headers.get('content-disposition')).toContain(`${OP}-provisional-v${rollup.version}.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    const sheet = wb.getWorksheet('figures')!;
    expect(String(sheet.getCell('A1').value)).toContain('PROVISIONAL');
    expect(String(sheet.getCell('A1').value)).toContain(String(rollup.version));
    const exported: Figures = new Map();
    sheet.eachRow((row, n) => {
      if (n <= 2) return;
      const [level, area, , metric, date, breakdown, value] = (row.values as unknown[]).slice(1);
      exported.set(figureKey(level, area, metric, date, breakdown), value as number);
    });
    expect(exported).toEqual(figuresOf(rollup));
    const about = new Map(
      (wb.getWorksheet('About')!.getSheetValues() as unknown[][]).filter(Boolean).map((r) => [r[1], r[2]]),
    );
    expect(about.get('status')).toBe('provisional');
    expect(about.get('figures_version')).toBe(rollup.version);
  });

  it('writes the stamp in the language asked for, the columns unchanged', async () => {
    const res = await get('/rollup/export?format=csv&lang=es');

    expect(res.headers.get('content-language')).toBe('es');
    const text = await res.text();
    expect(text).toContain('PROVISIONALES');
    expect(text).toContain(PROVISIONAL_COLUMNS.join(','));
  });

  it('exports the rollup as it stood at asOf', async () => {
    const first = (await (await get('/rollup/history')).json()) as {
      versions: { version: number; at: string }[];
    };
    const earliest = first.versions[0]!;

    const res = await get(`/rollup/export?format=csv&asOf=${encodeURIComponent(earliest.at)}`);

    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain(`-provisional-v${earliest.version}.csv`);
    expect(await res.text()).toContain(`as_of,${new Date(earliest.at).toISOString()}`);
  });

  it('refuses a format it does not write, naming the accepted ones, and agencies', async () => {
    const bad = await get('/rollup/export?format=pdf');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: 'bad-format',
      message: expect.stringContaining('csv, xlsx'),
    });
    expect((await get('/rollup/export')).status).toBe(400);
    expect((await get('/rollup/export?format=csv&asOf=yesterday')).status).toBe(400);
    expect((await get('/rollup/export?format=csv', await stack.tokens.agency('BR'))).status).toBe(403);
  });
});
