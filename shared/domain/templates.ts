import type ExcelJS from 'exceljs';
import { type Operation, windowDates } from './operation.ts';
import { loadExcelJS } from './xlsx/libraries.ts';
import { RETURN_SHEET } from './xlsx/workbook-xml.ts';

/** The header of a national return, as the CSV template and the workbook template write it. */
export const TEMPLATE_COLUMNS = ['date', 'metric', 'breakdown', 'value'] as const;

/** Rows of the workbook template's `return` sheet that carry drop-downs and checks (2 to this). */
export const TEMPLATE_LAST_ROW = 5000;

/** One metric as the guide explains it. */
export type GuideMetric = {
  id: string;
  label: string;
  unit: string;
  aggregation: 'sum' | 'max';
  /** How the country's figure is made from its days, in words. */
  aggregationMeaning: string;
  /** The breakdown cells allowed for this metric, written `dimension=value`. */
  breakdowns: string[];
};

/** Everything an agency needs to fill a return for `op`, as plain data. */
export type TemplateGuide = {
  operation: { id: string; name: string };
  columns: { name: (typeof TEMPLATE_COLUMNS)[number] | 'country'; required: boolean; description: string }[];
  window: { start: string; end: string; dates: string[] };
  metrics: GuideMetric[];
  /** Every `dimension=value` allowed in the breakdown column, across metrics, without repeats. */
  breakdowns: string[];
  /** The rules a return must keep, as sentences. */
  rules: string[];
  /** A small return that is accepted as it stands. */
  example: { date: string; metric: string; breakdown: string; value: number }[];
};

/**
 * The guidance both templates are built from: the operation's columns, window, metrics with their
 * breakdowns, and rules in words, plus an example return that the operation accepts unchanged.
 */
export function templateGuide(op: Operation): TemplateGuide {
  const { start, end } = op.window;
  const metrics: GuideMetric[] = op.metrics.map((m) => ({
    id: m.id,
    label: m.label,
    unit: m.unit,
    aggregation: m.aggregation,
    aggregationMeaning:
      m.aggregation === 'sum'
        ? 'added up over the days (a flow: report each day’s new count)'
        : 'the highest day counts (a level: report each day’s level)',
    breakdowns: m.breakdowns.flatMap((b) => b.values.map((v) => `${b.dimension}=${v}`)),
  }));
  const breakdowns = [...new Set(metrics.flatMap((m) => m.breakdowns))];
  const label = (id: string): string => op.metrics.find((m) => m.id === id)?.label ?? id;
  const rules = [
    `Dates are written YYYY-MM-DD and fall between ${start} and ${end}.`,
    'Write one row per date, metric and breakdown; a return replaces your previous upload wholesale, so always upload every row you have.',
    'Values are whole numbers, 0 or more. Write 0 to report zero; leave a row out (do not leave its value empty) to report nothing.',
    'Leave the breakdown empty for the day’s total. A breakdown row needs the total of the same day and metric.',
    'Type values: formulas are not accepted (paste values only).',
    ...op.rules.map((r) => {
      const kind = r.severity === 'error' ? 'the file is rejected otherwise' : 'a warning otherwise';
      return r.kind === 'lte'
        ? `${label(r.metric)} (${r.metric}) must not exceed ${label(r.bound)} (${r.bound}) on the same day (${kind}).`
        : `The ${r.dimension} rows of ${r.metric} must add up to no more than the day’s total (${kind}).`;
    }),
  ];
  // Every total on the first day, equal so that every "≤" rule holds, and one breakdown row below its total.
  const example: TemplateGuide['example'] = op.metrics.map((m) => ({
    date: start,
    metric: m.id,
    breakdown: '',
    value: 12,
  }));
  const broken = metrics.find((m) => m.breakdowns.length > 0);
  if (broken) example.push({ date: start, metric: broken.id, breakdown: broken.breakdowns[0]!, value: 5 });
  return {
    operation: { id: op.id, name: op.name },
    columns: [
      { name: 'date', required: true, description: `The day, YYYY-MM-DD, from ${start} to ${end}.` },
      { name: 'metric', required: true, description: 'A metric id from the list (not its label).' },
      {
        name: 'breakdown',
        required: false,
        description: 'Empty for the day’s total; or dimension=value for a part of it.',
      },
      { name: 'value', required: true, description: 'A whole number, 0 or more.' },
      {
        name: 'country',
        required: false,
        description: 'Optional: your country’s ISO code (e.g. BR); it must be the uploading country.',
      },
    ],
    window: { start, end, dates: windowDates(op) },
    metrics,
    breakdowns,
    rules,
    example,
  };
}

/**
 * The CSV template: the header line only. Guidance lives in the workbook template and the README:
 * CSV has no comments, and any example row would be uploaded as if it were a figure.
 */
export function csvTemplate(_op: Operation): string {
  return `${TEMPLATE_COLUMNS.join(',')}\n`;
}

/** exceljs implements range validations (`add('A2:A5000', …)`) but leaves them out of its types. */
type RangeValidations = { dataValidations: { add(range: string, validation: ExcelJS.DataValidation): void } };

/**
 * The workbook template for `op`: a `return` sheet (first, with a frozen header row, drop-downs of
 * metric ids and breakdowns, a date check on the window and a whole-number check on values for rows
 * 2 to 5000), a `guide` sheet (columns, window, metrics, rules, an example) and a hidden `lists`
 * sheet the drop-downs read from. Uploaded with rows typed into it and its structure unchanged, it
 * is read like any workbook; uploaded empty, it is rejected with `no-rows`.
 */
export async function xlsxTemplate(op: Operation): Promise<Buffer> {
  const guide = templateGuide(op);
  const wb = new (await loadExcelJS()).Workbook();
  wb.creator = 'optally';
  wb.title = `${op.name} — national return`;

  const ret = wb.addWorksheet(RETURN_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  // Column formats are what a typed cell takes: dates show as YYYY-MM-DD (and are stored as dates),
  // ids stay text, values show as whole numbers.
  ret.columns = [
    { header: 'date', key: 'date', width: 14, style: { numFmt: 'yyyy-mm-dd' } },
    { header: 'metric', key: 'metric', width: 34, style: { numFmt: '@' } },
    { header: 'breakdown', key: 'breakdown', width: 40, style: { numFmt: '@' } },
    { header: 'value', key: 'value', width: 12, style: { numFmt: '0' } },
  ];
  ret.getRow(1).font = { bold: true };

  // Tabs in this order: the return, its guide, then the lists the drop-downs read (hidden).
  writeGuide(wb.addWorksheet('guide'), guide);
  const lists = wb.addWorksheet('lists', { state: 'hidden' });
  lists.getCell('A1').value = 'metric';
  lists.getCell('B1').value = 'breakdown';
  guide.metrics.forEach((m, i) => {
    lists.getCell(i + 2, 1).value = m.id;
  });
  guide.breakdowns.forEach((b, i) => {
    lists.getCell(i + 2, 2).value = b;
  });

  const rows = (col: string): string => `${col}2:${col}${TEMPLATE_LAST_ROW}`;
  const validations = (ret as unknown as RangeValidations).dataValidations;
  validations.add(rows('A'), {
    type: 'date',
    operator: 'between',
    allowBlank: true,
    // Excel stores a date as a day number; UTC midnight is that number exactly, in any time zone.
    formulae: [new Date(`${guide.window.start}T00:00:00Z`), new Date(`${guide.window.end}T00:00:00Z`)],
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: 'Date outside the operation',
    error: `Enter a date from ${guide.window.start} to ${guide.window.end}, written YYYY-MM-DD.`,
    showInputMessage: true,
    promptTitle: 'date',
    prompt: `YYYY-MM-DD, from ${guide.window.start} to ${guide.window.end}`,
  });
  // A list longer than 255 characters cannot be written inline: the lists come from the hidden sheet.
  validations.add(rows('B'), {
    type: 'list',
    allowBlank: true,
    formulae: [`lists!$A$2:$A$${guide.metrics.length + 1}`],
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: 'Unknown metric',
    error: 'Choose a metric id from the list (see the guide sheet).',
  });
  if (guide.breakdowns.length > 0) {
    validations.add(rows('C'), {
      type: 'list',
      allowBlank: true,
      formulae: [`lists!$B$2:$B$${guide.breakdowns.length + 1}`],
      showErrorMessage: true,
      errorStyle: 'stop',
      errorTitle: 'Unknown breakdown',
      error: 'Leave empty for the day’s total, or choose a breakdown from the list.',
      showInputMessage: true,
      promptTitle: 'breakdown',
      prompt: 'Empty for the day’s total; or a breakdown from the list',
    });
  }
  validations.add(rows('D'), {
    type: 'whole',
    operator: 'greaterThanOrEqual',
    allowBlank: true,
    formulae: [0],
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: 'Not a count',
    error: 'Enter a whole number, 0 or more. Write 0 to report zero; delete the row to report nothing.',
  });

  const bytes = await wb.xlsx.writeBuffer();
  return Buffer.from(bytes as unknown as Uint8Array);
}

function writeGuide(ws: ExcelJS.Worksheet, guide: TemplateGuide): void {
  ws.columns = [{ width: 34 }, { width: 40 }, { width: 16 }, { width: 48 }, { width: 60 }];
  const heading = (text: string): void => {
    const row = ws.addRow([text]);
    row.font = { bold: true, size: 12 };
  };
  const title = ws.addRow([`${guide.operation.name} — national return`]);
  title.font = { bold: true, size: 14 };
  ws.addRow([
    `Fill the sheet "${RETURN_SHEET}": one row per date, metric and breakdown, under its header. Keep the header row and the sheet name; upload the file as .xlsx.`,
  ]);
  ws.addRow([]);

  heading('Columns');
  ws.addRow(['column', 'required', null, 'what to write']).font = { italic: true };
  for (const c of guide.columns) ws.addRow([c.name, c.required ? 'yes' : 'no', null, c.description]);
  ws.addRow([]);

  heading('Window');
  ws.addRow(['first day', guide.window.start]);
  ws.addRow(['last day', guide.window.end]);
  ws.addRow([]);

  heading('Metrics');
  ws.addRow(['id', 'label', 'unit', 'how a country’s figure is made', 'breakdowns']).font = { italic: true };
  for (const m of guide.metrics) {
    ws.addRow([
      m.id,
      m.label,
      m.unit,
      `${m.aggregation}: ${m.aggregationMeaning}`,
      m.breakdowns.join(', ') || null,
    ]);
  }
  ws.addRow([]);

  heading('Rules');
  for (const rule of guide.rules) ws.addRow([rule]);
  ws.addRow([]);

  heading('Example (accepted as it stands)');
  ws.addRow(['date', 'metric', 'breakdown', 'value']).font = { italic: true };
  // Text, not dates or numbers: the guide is read by people only.
  for (const e of guide.example) ws.addRow([e.date, e.metric, e.breakdown || null, String(e.value)]);
}
