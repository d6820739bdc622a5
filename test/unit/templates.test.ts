import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { Operation } from '../../shared/domain/operation.ts';
import {
  csvTemplate,
  TEMPLATE_LAST_ROW,
  templateGuide,
  xlsxTemplate,
} from '../../shared/domain/templates.ts';
import { type Locale, SUPPORTED_LOCALES } from '../../shared/i18n/locale.ts';
import { loadLocales } from '../../shared/i18n/render.ts';
import { anOperation, aReturn, liberterraIII, readCsv } from '../support/builders.ts';
import { codesOf } from '../support/problems.ts';
import { excelDate, readXlsxReturn, xlsxBytes } from '../support/xlsx-builders.ts';

// Renders in every language: the catalogues are loaded once, as the edges load them.
await loadLocales(SUPPORTED_LOCALES);

// `anOperation()` is test-op (10–12 November 2025; arrests, arrests_trafficking_smuggling,
// victims_safeguarded with an exploitation breakdown, officers_deployed). Tests run under
// TZ=Pacific/Chatham, so a date written or read in local time would land on the wrong day.

async function load(bytes: Uint8Array): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Uint8Array.from(bytes).buffer);
  return wb;
}

/** Types rows into the template's `return` sheet from row 2, as an agency does in Excel. */
async function filledLikeAUser(
  op: Operation,
  rows: [day: string, metric: string, breakdown: string | null, value: number][],
  locale: Locale = 'en',
): Promise<Uint8Array> {
  const wb = await load(await xlsxTemplate(op, locale));
  const ws = wb.getWorksheet('return')!;
  rows.forEach(([day, metric, breakdown, value], i) => {
    const row = ws.getRow(i + 2);
    // A date typed into the date column becomes a date cell in the column's YYYY-MM-DD format.
    row.getCell(1).value = excelDate(day);
    row.getCell(1).numFmt = 'yyyy-mm-dd';
    row.getCell(2).value = metric;
    if (breakdown !== null) row.getCell(3).value = breakdown;
    row.getCell(4).value = value;
  });
  return xlsxBytes(wb);
}

describe('csvTemplate', () => {
  it('is the header line only', () => {
    expect(csvTemplate(anOperation())).toBe('date,metric,breakdown,value\n');
  });

  it('is rejected unchanged with no-rows, never counted as a report of zero', async () => {
    const { report } = await readCsv(csvTemplate(anOperation()));

    expect(codesOf(report)).toEqual(['no-rows']);
  });
});

describe('templateGuide', () => {
  it('lists every metric with its unit, aggregation and breakdowns written as the file needs them', () => {
    const guide = templateGuide(anOperation());

    expect(guide.metrics.map((m) => [m.id, m.unit, m.aggregation])).toEqual([
      ['arrests', 'persons', 'sum'],
      ['arrests_trafficking_smuggling', 'persons', 'sum'],
      ['victims_safeguarded', 'persons', 'sum'],
      ['officers_deployed', 'officers', 'max'],
    ]);
    expect(guide.metrics[2]?.breakdowns).toEqual([
      'exploitation=sexual_exploitation',
      'exploitation=forced_labour',
      'exploitation=other',
    ]);
    expect(guide.breakdowns).toEqual(guide.metrics[2]?.breakdowns);
  });

  it('gives the window with each of its days', () => {
    expect(templateGuide(anOperation()).window).toEqual({
      start: '2025-11-10',
      end: '2025-11-12',
      dates: ['2025-11-10', '2025-11-11', '2025-11-12'],
    });
  });

  it('states each of the operation’s rules', () => {
    const rules = templateGuide(anOperation()).rules.join('\n');

    expect(rules).toContain('arrests_trafficking_smuggling) must not exceed Arrests (arrests)');
    expect(rules).toContain('The exploitation rows of victims_safeguarded must add up to no more');
  });

  it.each([
    ['test-op', anOperation()],
    ['Liberterra III', liberterraIII()],
  ])('gives an example that %s accepts as it stands', async (_name, op) => {
    const example = aReturn();
    for (const e of templateGuide(op).example) {
      example.withRow(e.date, e.metric, e.value, e.breakdown === '' ? undefined : e.breakdown);
    }

    const { report } = await readCsv(example.csv(), { operation: op });

    expect(report.problems).toEqual([]);
    expect(report.verdict).toBe('accepted');
  });
});

describe('xlsxTemplate', () => {
  it('has the return sheet first, then the guide, then the hidden lists', async () => {
    const wb = await load(await xlsxTemplate(anOperation()));

    expect(wb.worksheets.map((ws) => [ws.name, ws.state])).toEqual([
      ['return', 'visible'],
      ['guide', 'visible'],
      ['lists', 'hidden'],
    ]);
  });

  it('starts the return sheet with the header row, frozen', async () => {
    const ws = (await load(await xlsxTemplate(anOperation()))).getWorksheet('return')!;

    expect(ws.getRow(1).values).toEqual([undefined, 'date', 'metric', 'breakdown', 'value']);
    expect(ws.rowCount).toBe(1);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  });

  it('checks dates against the window, as exact days in any time zone', async () => {
    const ws = (await load(await xlsxTemplate(anOperation()))).getWorksheet('return')!;

    const v = ws.getCell('A2').dataValidation;
    expect(v).toMatchObject({ type: 'date', operator: 'between', showErrorMessage: true });
    expect(v.formulae).toEqual([excelDate('2025-11-10'), excelDate('2025-11-12')]);
  });

  it('offers the metric ids in a drop-down read from the hidden lists sheet', async () => {
    const wb = await load(await xlsxTemplate(anOperation()));
    const v = wb.getWorksheet('return')!.getCell('B2').dataValidation;

    expect(v).toMatchObject({ type: 'list', formulae: ['lists!$A$2:$A$5'], showErrorMessage: true });
    const lists = wb.getWorksheet('lists')!;
    expect([2, 3, 4, 5].map((r) => lists.getCell(r, 1).value)).toEqual([
      'arrests',
      'arrests_trafficking_smuggling',
      'victims_safeguarded',
      'officers_deployed',
    ]);
  });

  it('offers the breakdowns in a drop-down that may be left empty', async () => {
    const wb = await load(await xlsxTemplate(anOperation()));
    const v = wb.getWorksheet('return')!.getCell('C2').dataValidation;

    expect(v).toMatchObject({ type: 'list', allowBlank: true, formulae: ['lists!$B$2:$B$4'] });
    expect(wb.getWorksheet('lists')!.getCell('B2').value).toBe('exploitation=sexual_exploitation');
  });

  it('keeps a list too long to write inline (over 255 characters) in the lists sheet', async () => {
    const nationalities = Array.from({ length: 40 }, (_, i) => `nationality_${i + 1}`);
    const op = anOperation({
      metrics: [
        {
          id: 'victims_safeguarded',
          label: 'Victims safeguarded',
          aggregation: 'sum',
          breakdowns: [{ dimension: 'nationality', values: nationalities }],
        },
      ],
      rules: [],
    });
    expect(nationalities.map((n) => `nationality=${n}`).join(',').length).toBeGreaterThan(255);

    const wb = await load(await xlsxTemplate(op));

    expect(wb.getWorksheet('return')!.getCell('C2').dataValidation.formulae).toEqual(['lists!$B$2:$B$41']);
    expect(wb.getWorksheet('lists')!.getCell('B41').value).toBe('nationality=nationality_40');
  });

  it('accepts only whole numbers of zero or more as values', async () => {
    const ws = (await load(await xlsxTemplate(anOperation()))).getWorksheet('return')!;

    expect(ws.getCell('D2').dataValidation).toMatchObject({
      type: 'whole',
      operator: 'greaterThanOrEqual',
      formulae: [0],
    });
  });

  it(`checks rows 2 to ${TEMPLATE_LAST_ROW}, and neither the header nor beyond`, async () => {
    const ws = (await load(await xlsxTemplate(anOperation()))).getWorksheet('return')!;

    expect(ws.getCell(`A${TEMPLATE_LAST_ROW}`).dataValidation?.type).toBe('date');
    expect(ws.getCell(`D${TEMPLATE_LAST_ROW}`).dataValidation?.type).toBe('whole');
    expect(ws.getCell('A1').dataValidation).toBeUndefined();
    expect(ws.getCell(`A${TEMPLATE_LAST_ROW + 1}`).dataValidation).toBeUndefined();
  });

  it('explains metrics, window, rules and an example on the guide sheet', async () => {
    const ws = (await load(await xlsxTemplate(anOperation()))).getWorksheet('guide')!;
    const text: string[] = [];
    ws.eachRow((row) => {
      row.eachCell((cell) => {
        text.push(String(cell.value));
      });
    });
    const all = text.join('\n');

    for (const id of [
      'arrests',
      'arrests_trafficking_smuggling',
      'victims_safeguarded',
      'officers_deployed',
    ]) {
      expect(text).toContain(id);
    }
    expect(all).toContain('Operation Test');
    expect(all).toContain('2025-11-10');
    expect(all).toContain('2025-11-12');
    expect(all).toContain('exploitation=sexual_exploitation');
    expect(all).toContain('must not exceed');
    expect(all).toContain('Example');
  });

  it('is rejected unchanged with no-rows only', async () => {
    const { report } = await readXlsxReturn(await xlsxTemplate(anOperation()));

    expect(codesOf(report)).toEqual(['no-rows']);
    expect(report.counts.errors).toBe(1);
  });

  it('is accepted once rows are typed into it', async () => {
    const bytes = await filledLikeAUser(anOperation(), [
      ['2025-11-10', 'arrests', null, 9],
      ['2025-11-10', 'arrests_trafficking_smuggling', null, 4],
      ['2025-11-10', 'victims_safeguarded', null, 6],
      ['2025-11-10', 'victims_safeguarded', 'exploitation=forced_labour', 2],
      ['2025-11-11', 'arrests', null, 0],
      ['2025-11-12', 'officers_deployed', null, 40],
    ]);

    const { report, figures } = await readXlsxReturn(bytes);

    expect(report.problems).toEqual([]);
    expect(report.verdict).toBe('accepted');
    expect(figures?.totals).toEqual({
      arrests: 9,
      arrests_trafficking_smuggling: 4,
      victims_safeguarded: 6,
      officers_deployed: 40,
    });
    expect(figures?.byBreakdown).toEqual({ victims_safeguarded: { 'exploitation=forced_labour': 2 } });
    expect(Object.keys(figures?.byDay ?? {})).toEqual(['2025-11-10', '2025-11-11', '2025-11-12']);
  });

  it('is accepted for Liberterra III once filled for every day of its window', async () => {
    const op = liberterraIII();
    const days = templateGuide(op).window.dates;
    const bytes = await filledLikeAUser(
      op,
      days.flatMap((day) => op.metrics.map((m): [string, string, null, number] => [day, m.id, null, 1])),
    );

    const { report, figures } = await readXlsxReturn(bytes, { operation: op, country: 'BR' });

    expect(report.verdict).toBe('accepted');
    expect(report.counts.rows).toBe(days.length * op.metrics.length);
    expect(figures?.totals.arrests).toBe(days.length);
    expect(figures?.totals.officers_deployed).toBe(1);
  });
});

/** Every text of a sheet, one cell a line. */
function textOf(ws: ExcelJS.Worksheet): string {
  const text: string[] = [];
  ws.eachRow((row) => {
    row.eachCell((cell) => {
      text.push(String(cell.value));
    });
  });
  return text.join('\n');
}

describe('the template in the reader’s language', () => {
  it('writes the guide in French, with the operation’s own French texts', async () => {
    const guide = (await load(await xlsxTemplate(liberterraIII(), 'fr'))).getWorksheet('guide')!;
    const text = textOf(guide);

    expect(text).toContain('Opération Liberterra III — déclaration nationale');
    expect(text).toContain('Colonnes');
    expect(text).toContain('Arrestations');
    expect(text).toContain('du 10 novembre 2025 au 21 novembre 2025');
    expect(text).toContain('ne peuvent pas dépasser les arrestations déclarées');
    expect(text).not.toContain('must not exceed');
  });

  it('keeps column names, metric ids and breakdowns as canonical codes in every language', async () => {
    for (const locale of ['fr', 'es', 'ar'] as const) {
      const wb = await load(await xlsxTemplate(liberterraIII(), locale));
      const ret = wb.getWorksheet('return')!;
      const header = [1, 2, 3, 4].map((c) => ret.getRow(1).getCell(c).value);
      const lists = textOf(wb.getWorksheet('lists')!);

      expect(header).toEqual(['date', 'metric', 'breakdown', 'value']);
      expect(lists).toContain('arrests_trafficking_smuggling');
      expect(lists).toContain('exploitation=forced_labour');
    }
  });

  it('explains each header cell and checks each cell in Spanish', async () => {
    const ret = (await load(await xlsxTemplate(anOperation(), 'es'))).getWorksheet('return')!;
    const validations = (
      ret as unknown as { dataValidations: { model: Record<string, ExcelJS.DataValidation> } }
    ).dataValidations.model;
    const errors = Object.values(validations).map((v) => v.error);

    expect(String(ret.getCell('D1').note)).toContain('Un número entero, 0 o más.');
    expect(errors).toContain('Escriba una fecha de 2025-11-10 a 2025-11-12, con el formato AAAA-MM-DD.');
    expect(errors.join(' ')).not.toMatch(/Enter a/);
  });

  it('lays the Arabic guide out right to left, the return sheet left to right', async () => {
    const wb = await load(await xlsxTemplate(liberterraIII(), 'ar'));

    expect(wb.getWorksheet('guide')!.views[0]?.rightToLeft).toBe(true);
    expect(wb.getWorksheet('return')!.views[0]?.rightToLeft ?? false).toBe(false);
    expect(textOf(wb.getWorksheet('guide')!)).toContain('حالات الاعتقال');
  });

  it('is accepted filled in any language: the files are exchangeable', async () => {
    for (const locale of ['fr', 'ar'] as const) {
      const bytes = await filledLikeAUser(
        anOperation(),
        [
          ['2025-11-10', 'arrests', null, 9],
          ['2025-11-11', 'arrests', null, 0],
        ],
        locale,
      );

      const { report, figures } = await readXlsxReturn(bytes);

      expect(report.verdict).toBe('accepted');
      expect(figures?.totals).toEqual({ arrests: 9 });
    }
  });

  it('keeps the English guide by default', () => {
    expect(templateGuide(anOperation()).rules[0]).toBe(
      'Dates are written YYYY-MM-DD and fall between 2025-11-10 and 2025-11-12 (10 November 2025 to 12 November 2025).',
    );
  });
});
