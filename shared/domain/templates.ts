import type ExcelJS from 'exceljs';
import { DEFAULT_LOCALE, direction, type Locale } from '../i18n/locale.ts';
import { loadLocale, type MessageKey, type Params, renderMessage } from '../i18n/render.ts';
import { type Operation, windowDates } from './operation.ts';
import { metricLabel, metricUnit, operationName, ruleDescription } from './operation-texts.ts';
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

/** Everything an agency needs to fill a return for `op`, as plain data, in one language. */
export type TemplateGuide = {
  locale: Locale;
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
 * The guidance both templates are built from, in `locale`: the operation's columns, window, metrics
 * with their breakdowns, and rules in words, plus an example return that the operation accepts
 * unchanged. Column names, metric ids and breakdowns stay the canonical identifiers in every
 * language, so that files filled in any language are exchangeable.
 */
export function templateGuide(op: Operation, locale: Locale = DEFAULT_LOCALE): TemplateGuide {
  const t = (key: MessageKey, params?: Params): string => renderMessage(key, params, locale);
  const { start, end } = op.window;
  const metrics: GuideMetric[] = op.metrics.map((m) => ({
    id: m.id,
    label: metricLabel(m, locale),
    unit: metricUnit(m, locale),
    aggregation: m.aggregation,
    aggregationMeaning: t(m.aggregation === 'sum' ? 'template.aggregation.sum' : 'template.aggregation.max'),
    breakdowns: m.breakdowns.flatMap((b) => b.values.map((v) => `${b.dimension}=${v}`)),
  }));
  const breakdowns = [...new Set(metrics.flatMap((m) => m.breakdowns))];
  const label = (id: string): string => metrics.find((m) => m.id === id)?.label ?? id;
  const rules = [
    t('template.rule.dates', { start, end }),
    t('template.rule.one-row'),
    t('template.rule.values'),
    t('template.rule.breakdown'),
    t('template.rule.formulas'),
    ...op.rules.map((r) => {
      const own = ruleDescription(r, locale);
      if (own !== undefined) return own;
      return r.kind === 'lte'
        ? t('template.rule.lte', {
            metricLabel: label(r.metric),
            metric: r.metric,
            boundLabel: label(r.bound),
            bound: r.bound,
            severity: r.severity,
          })
        : t('template.rule.breakdown-sum', {
            dimension: r.dimension,
            metric: r.metric,
            severity: r.severity,
          });
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
    locale,
    operation: { id: op.id, name: operationName(op, locale) },
    columns: [
      { name: 'date', required: true, description: t('template.column.date', { start, end }) },
      { name: 'metric', required: true, description: t('template.column.metric') },
      { name: 'breakdown', required: false, description: t('template.column.breakdown') },
      { name: 'value', required: true, description: t('template.column.value') },
      { name: 'country', required: false, description: t('template.column.country') },
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
 * The workbook template for `op`, its guidance in `locale` (default English): a `return` sheet (first, with a frozen header row, drop-downs of
 * metric ids and breakdowns, a date check on the window and a whole-number check on values for rows
 * 2 to 5000), a `guide` sheet (columns, window, metrics, rules, an example) and a hidden `lists`
 * sheet the drop-downs read from. Uploaded with rows typed into it and its structure unchanged, it
 * is read like any workbook; uploaded empty, it is rejected with `no-rows`.
 */
export async function xlsxTemplate(op: Operation, locale: Locale = DEFAULT_LOCALE): Promise<Buffer> {
  await loadLocale(locale);
  const guide = templateGuide(op, locale);
  const t = (key: MessageKey, params?: Params): string => renderMessage(key, params, locale);
  const wb = new (await loadExcelJS()).Workbook();
  wb.creator = 'optally';
  wb.title = t('template.title', { operation: guide.operation.name });

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
  // The header cells explain themselves in the reader's language; their text stays the column name.
  TEMPLATE_COLUMNS.forEach((name, i) => {
    const column = guide.columns.find((c) => c.name === name);
    if (column) ret.getCell(1, i + 1).note = column.description;
  });

  // Tabs in this order: the return, its guide, then the lists the drop-downs read (hidden).
  writeGuide(wb.addWorksheet('guide', { views: [{ rightToLeft: direction(locale) === 'rtl' }] }), guide);
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
  const window = { start: guide.window.start, end: guide.window.end };
  validations.add(rows('A'), {
    type: 'date',
    operator: 'between',
    allowBlank: true,
    // Excel stores a date as a day number; UTC midnight is that number exactly, in any time zone.
    formulae: [new Date(`${guide.window.start}T00:00:00Z`), new Date(`${guide.window.end}T00:00:00Z`)],
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: t('template.validation.date.title'),
    error: t('template.validation.date.error', window),
    showInputMessage: true,
    promptTitle: 'date',
    prompt: t('template.validation.date.prompt', window),
  });
  // A list longer than 255 characters cannot be written inline: the lists come from the hidden sheet.
  validations.add(rows('B'), {
    type: 'list',
    allowBlank: true,
    formulae: [`lists!$A$2:$A$${guide.metrics.length + 1}`],
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: t('template.validation.metric.title'),
    error: t('template.validation.metric.error'),
  });
  if (guide.breakdowns.length > 0) {
    validations.add(rows('C'), {
      type: 'list',
      allowBlank: true,
      formulae: [`lists!$B$2:$B$${guide.breakdowns.length + 1}`],
      showErrorMessage: true,
      errorStyle: 'stop',
      errorTitle: t('template.validation.breakdown.title'),
      error: t('template.validation.breakdown.error'),
      showInputMessage: true,
      promptTitle: 'breakdown',
      prompt: t('template.validation.breakdown.prompt'),
    });
  }
  validations.add(rows('D'), {
    type: 'whole',
    operator: 'greaterThanOrEqual',
    allowBlank: true,
    formulae: [0],
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: t('template.validation.value.title'),
    error: t('template.validation.value.error'),
  });

  const bytes = await wb.xlsx.writeBuffer();
  return Buffer.from(bytes as unknown as Uint8Array);
}

function writeGuide(ws: ExcelJS.Worksheet, guide: TemplateGuide): void {
  const t = (key: MessageKey, params?: Params): string => renderMessage(key, params, guide.locale);
  ws.columns = [{ width: 34 }, { width: 40 }, { width: 16 }, { width: 48 }, { width: 60 }];
  const heading = (text: string): void => {
    const row = ws.addRow([text]);
    row.font = { bold: true, size: 12 };
  };
  const title = ws.addRow([t('template.title', { operation: guide.operation.name })]);
  title.font = { bold: true, size: 14 };
  ws.addRow([t('template.intro', { returnSheet: RETURN_SHEET })]);
  ws.addRow([]);

  heading(t('template.heading.columns'));
  ws.addRow([
    t('template.columns.header'),
    t('template.columns.required'),
    null,
    t('template.columns.what'),
  ]).font = { italic: true };
  for (const c of guide.columns) {
    ws.addRow([c.name, t(c.required ? 'template.yes' : 'template.no'), null, c.description]);
  }
  ws.addRow([]);

  heading(t('template.heading.window'));
  ws.addRow([t('template.window.first'), guide.window.start]);
  ws.addRow([t('template.window.last'), guide.window.end]);
  ws.addRow([]);

  heading(t('template.heading.metrics'));
  ws.addRow([
    t('template.metrics.id'),
    t('template.metrics.label'),
    t('template.metrics.unit'),
    t('template.metrics.how'),
    t('template.metrics.breakdowns'),
  ]).font = { italic: true };
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

  heading(t('template.heading.rules'));
  for (const rule of guide.rules) ws.addRow([rule]);
  ws.addRow([]);

  heading(t('template.heading.example'));
  ws.addRow(['date', 'metric', 'breakdown', 'value']).font = { italic: true };
  // Text, not dates or numbers: the guide is read by people only.
  for (const e of guide.example) ws.addRow([e.date, e.metric, e.breakdown || null, String(e.value)]);
}
