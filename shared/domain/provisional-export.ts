import { direction, type Locale } from '../i18n/locale.ts';
import { type MessageKey, type Params, renderMessage } from '../i18n/render.ts';
import { csvCell } from './final-export.ts';
import type { RollupView } from './rollup.ts';
import { loadExcelJS } from './xlsx/libraries.ts';

/**
 * Provisional exports: the live rollup (or the one as it stood at `asOf`) as CSV or XLSX for
 * coordinators, every file stamped "provisional" with the figures version and time. Unlike the
 * final exports (final-export.ts) they carry no manifest digest and prove nothing: they are working
 * copies of figures that still change. Columns and keys are canonical codes in every language;
 * only the stamp's sentences follow the reader's language.
 */

export const PROVISIONAL_FORMATS = ['csv', 'xlsx'] as const;
export type ProvisionalFormat = (typeof PROVISIONAL_FORMATS)[number];

/** Whether a `format` query value names a provisional export format. */
export function isProvisionalFormat(value: string): value is ProvisionalFormat {
  return (PROVISIONAL_FORMATS as readonly string[]).includes(value);
}

/** The columns of the figures table (the same in CSV and XLSX). */
export const PROVISIONAL_COLUMNS = ['level', 'area', 'name', 'metric', 'date', 'breakdown', 'value'] as const;

/** A cell of an export: text, a figure, or nothing. */
export type Cell = string | number | null;

/** What the stamp says besides the rollup: when the file was made, and the moment asked for. */
export type ExportMoment = { exportedAt: string; asOf: string | null };

/** `{op}-provisional-v{version}.{csv|xlsx}`. */
export function provisionalFileName(
  rollup: Pick<RollupView, 'operation' | 'version'>,
  format: ProvisionalFormat,
): string {
  return `${rollup.operation}-provisional-v${rollup.version}.${format}`;
}

/**
 * The stamp as `key, value` rows: the word `provisional`, the figures version and time, the moment
 * asked for, the progress and the missing countries, then the notice and how to read the file in
 * `locale` (loaded).
 */
export function provisionalStamp(rollup: RollupView, moment: ExportMoment, locale: Locale): [string, Cell][] {
  const t = (key: MessageKey, params?: Params) => renderMessage(key, params, locale);
  return [
    ['status', 'provisional'],
    ['title', provisionalTitle(rollup, moment, locale)],
    ['notice', t('export.provisional.notice')],
    ['reading', t('export.provisional.reading')],
    ['operation', rollup.operation],
    ['operation_name', rollup.name],
    ['operation_status', rollup.status],
    ['figures_version', rollup.version],
    ['figures_updated_at', rollup.updatedAt],
    ['as_of', moment.asOf],
    ['exported_at', moment.exportedAt],
    ['reported', rollup.progress.reported],
    ['expected', rollup.progress.expected],
    ['missing', rollup.progress.missing.join(' ')],
  ];
}

/** The title line: the operation, PROVISIONAL, the figures version and the time of its figures. */
export function provisionalTitle(rollup: RollupView, moment: ExportMoment, locale: Locale): string {
  return renderMessage(
    'export.provisional.title',
    {
      operation: rollup.name,
      version: String(rollup.version),
      time: rollup.updatedAt ?? moment.asOf ?? moment.exportedAt,
    },
    locale,
  );
}

/**
 * The figures as rows of `PROVISIONAL_COLUMNS`: global, region and country totals, the global
 * figures by day, then the breakdowns globally, by region and by country. Only reported figures
 * have a row (0 included), as in the final CSV; the metric order is the definition's.
 */
export function provisionalRows(rollup: RollupView): Cell[][] {
  const rows: Cell[][] = [];
  const metrics = rollup.metrics.map((m) => m.id);
  const values = (
    level: string,
    area: string,
    name: string | null,
    figures: Record<string, number | null> | undefined,
    date: string | null = null,
  ) => {
    for (const metric of metrics) {
      const value = figures?.[metric] ?? null;
      if (value !== null) rows.push([level, area, name, metric, date, null, value]);
    }
  };
  values('global', '_T', null, rollup.totals);
  for (const [region, figures] of Object.entries(rollup.byRegion)) values('region', region, null, figures);
  for (const [country, figures] of Object.entries(rollup.byCountry)) {
    values('country', country, rollup.countries[country]?.name ?? null, figures);
  }
  for (const [date, figures] of Object.entries(rollup.byDay)) values('day', '_T', null, figures, date);

  const b = rollup.breakdowns;
  if (!b) return rows;
  const parts = (
    level: string,
    area: string,
    name: string | null,
    figures: Record<string, (number | null)[]> | undefined,
  ) => {
    for (const [metric, keys] of Object.entries(b.keys)) {
      keys.forEach((key, i) => {
        const value = figures?.[metric]?.[i] ?? null;
        if (value !== null) rows.push([level, area, name, metric, null, key, value]);
      });
    }
  };
  parts('global', '_T', null, b.totals);
  for (const [region, figures] of Object.entries(b.byRegion)) parts('region', region, null, figures);
  for (const [country, figures] of Object.entries(b.byCountry)) {
    parts('country', country, rollup.countries[country]?.name ?? null, figures);
  }
  return rows;
}

/**
 * The provisional CSV: the stamp's `key,value` rows first, a blank row, then the figures table with
 * its header. UTF-8 with a byte order mark and CRLF, so Excel opens it as it is (names and the
 * notice in any script); every cell through `csvCell`, so none can start a formula.
 */
export function provisionalCsv(rollup: RollupView, moment: ExportMoment, locale: Locale): string {
  const rows: Cell[][] = [
    ...provisionalStamp(rollup, moment, locale),
    [],
    [...PROVISIONAL_COLUMNS],
    ...provisionalRows(rollup),
  ];
  return `\uFEFF${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** The sheet the figures are on, and the one the stamp is on. */
export const PROVISIONAL_SHEETS = { figures: 'figures', about: 'About' } as const;

/**
 * The provisional workbook: a `figures` sheet whose first row is the title (PROVISIONAL, the figures
 * version and time), then the header and the rows of `provisionalRows`; an `About` sheet with the
 * stamp's `key, value` rows. Figures are numbers, everything else text.
 */
export async function provisionalXlsx(
  rollup: RollupView,
  moment: ExportMoment,
  locale: Locale,
): Promise<Buffer> {
  const wb = new (await loadExcelJS()).Workbook();
  wb.creator = 'optally';
  const title = provisionalTitle(rollup, moment, locale);
  wb.title = title;
  wb.subject = 'provisional';
  const rtl = direction(locale) === 'rtl';
  const figures = wb.addWorksheet(PROVISIONAL_SHEETS.figures, {
    views: [{ state: 'frozen', ySplit: 2, rightToLeft: rtl }],
  });
  figures.addRow([title]);
  figures.mergeCells(1, 1, 1, PROVISIONAL_COLUMNS.length);
  figures.getRow(1).font = { bold: true, size: 13 };
  figures.addRow([...PROVISIONAL_COLUMNS]).font = { bold: true };
  figures.addRows(provisionalRows(rollup));
  const widths = [10, 10, 26, 32, 12, 40, 14];
  widths.forEach((width, i) => {
    figures.getColumn(i + 1).width = width;
  });
  figures.autoFilter = { from: { row: 2, column: 1 }, to: { row: 2, column: PROVISIONAL_COLUMNS.length } };

  const about = wb.addWorksheet(PROVISIONAL_SHEETS.about, { views: [{ rightToLeft: rtl }] });
  about.addRows(provisionalStamp(rollup, moment, locale));
  about.getColumn(1).width = 20;
  about.getColumn(2).width = 100;
  about.getColumn(2).alignment = { wrapText: true, vertical: 'top' };
  about.getColumn(1).font = { bold: true };
  return Buffer.from(await wb.xlsx.writeBuffer());
}
