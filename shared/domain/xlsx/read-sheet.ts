import { Readable } from 'node:stream';
import type ExcelJS from 'exceljs';
import type { ReturnChecker } from '../check-return.ts';
import { type Problem, problem, truncate } from '../problems.ts';
import { loadExcelJS, loadJSZip } from './libraries.ts';
import type { SheetParts } from './preflight.ts';
import { RETURN_SHEET } from './workbook-xml.ts';
import { unsupported } from './xlsx-problems.ts';

// ---------------------------------------------------------------------------------------------
// Reading the sheet with exceljs

const WORKSHEET_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet';
const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';

/**
 * A minimal workbook holding only the checked parts, each stored uncompressed in the order
 * exceljs's streaming reader needs them (strings and relationships before the sheet, so it never
 * spills the sheet to a temporary file). Its local headers are ours, so exceljs's reader, which
 * walks local headers rather than the central directory, sees exactly what was checked.
 */
async function rebuild(parts: SheetParts): Promise<Buffer> {
  const zip = new (await loadJSZip())();
  const at = new Date(Date.UTC(2000, 0, 1));
  const add = (name: string, content: Buffer | string): void => {
    zip.file(name, content, { date: at, compression: 'STORE' });
  };
  add(
    'xl/_rels/workbook.xml.rels',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${WORKSHEET_REL}" Target="worksheets/sheet1.xml"/></Relationships>`,
  );
  // The original workbook part carries the date system (1900 or 1904) that date cells depend on.
  add('xl/workbook.xml', parts.workbook);
  if (parts.styles) add('xl/styles.xml', parts.styles);
  add(
    'xl/sharedStrings.xml',
    parts.sharedStrings ??
      `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${MAIN_NS}" count="0" uniqueCount="0"/>`,
  );
  add('xl/worksheets/sheet1.xml', parts.sheet);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'STORE' });
}

type Columns = ReturnType<ReturnChecker['header']>;

/**
 * Feeds the checked sheet to `checker`: its header row, then every non-empty row. A sheet that
 * cannot be read, or holds nothing, is a file problem.
 */
export async function readSheet(parts: SheetParts, checker: ReturnChecker): Promise<void> {
  const sheet = {
    sheet: truncate(parts.name, 40),
    fallback: parts.fallback ? 'yes' : 'no',
    returnSheet: RETURN_SHEET,
  };
  let header: { columns: Columns; width: number } | undefined;
  let previous = 0;
  try {
    const reader = new (await loadExcelJS()).stream.xlsx.WorkbookReader(Readable.from(await rebuild(parts)), {
      worksheets: 'emit',
      sharedStrings: 'cache',
      // Styles say which numbers are dates.
      styles: 'cache',
      hyperlinks: 'ignore',
      entries: 'ignore',
    });
    for await (const sheet of reader) {
      for await (const row of sheet) {
        // A row without its number (optional in the format) follows the one before it.
        const number = Number.isSafeInteger(row.number) && row.number > previous ? row.number : previous + 1;
        previous = number;
        const cells = cellsOf(row);
        if (cells.every((c) => c.formula === null && c.text.trim() === '')) continue;
        const at = new Map(cells.map((c) => [c.col, c]));
        const formulas = cells.filter((c) => c.formula !== null);
        for (const c of formulas) {
          checker.fileProblem(formulaProblem(number, c, header ? header.columns[c.col - 1] : undefined));
        }
        if (!header) {
          const width = Math.max(
            ...cells.filter((c) => c.text.trim() !== '' || c.formula !== null).map((c) => c.col),
          );
          const names = Array.from({ length: width }, (_, i) => at.get(i + 1)?.text ?? '');
          header = { columns: checker.header(names, number), width };
          continue;
        }
        if (formulas.length > 0) continue;
        const stray = cells.find((c) => c.col > header!.width && c.text.trim() !== '');
        if (stray) {
          checker.fileProblem(
            problem(
              'wrong-field-count.outside-table',
              { row: number, column: columnLetter(stray.col), value: stray.text },
              { row: number, column: columnLetter(stray.col), last: columnLetter(header.width) },
            ),
          );
          continue;
        }
        const record: Record<string, string> = {};
        header.columns.forEach((column, i) => {
          if (column) record[column] = at.get(i + 1)?.text ?? '';
        });
        checker.row({ row: number, cells: record });
        if (checker.stopped) return;
      }
      // The rebuilt workbook holds one sheet.
      break;
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    checker.fileProblem(
      unsupported('unsupported-format.unreadable-sheet', {
        ...sheet,
        row: previous,
        detail: truncate(message, 120),
      }),
    );
    return;
  }
  if (!header) {
    checker.fileProblem(problem('no-rows.empty-sheet', {}, sheet));
  }
}

/** One non-empty cell as the checker sees it: its text, or the formula it holds. */
type SheetCell = { col: number; text: string; formula: string | null };

function cellsOf(row: ExcelJS.Row): SheetCell[] {
  const cells: SheetCell[] = [];
  row.eachCell({ includeEmpty: false }, (cell, col) => {
    const value: unknown = cell.value;
    const formula = formulaOf(value);
    cells.push({ col, text: formula === null ? textOf(value) : '', formula });
  });
  return cells;
}

/**
 * The formula a cell holds ('' for a cell sharing another cell's formula), or null. exceljs gives a
 * formula cell the value `{ formula, result }` (or `{ sharedFormula, result }`); the cached result
 * is never used: it is whatever the last program to save the file computed.
 */
function formulaOf(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || value instanceof Date) return null;
  const v = value as { formula?: unknown; sharedFormula?: unknown };
  if ('formula' in v) return typeof v.formula === 'string' ? v.formula : '';
  if ('sharedFormula' in v) return '';
  return null;
}

/** A cell's value as the text a CSV export of it would hold. */
function textOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    // Whole numbers in full digits (so 1e21 is a figure too large, not exponent notation);
    // fractions in decimal form, which the checker rejects as not whole.
    return Number.isInteger(value) ? BigInt(value).toString() : String(value);
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return isoDay(value);
  if (typeof value === 'object') {
    const v = value as { richText?: unknown; text?: unknown; error?: unknown };
    if (Array.isArray(v.richText)) {
      return v.richText
        .map((run: { text?: unknown }) => (typeof run?.text === 'string' ? run.text : ''))
        .join('');
    }
    if ('text' in v) return textOf(v.text);
    if (typeof v.error === 'string') return v.error;
  }
  // Never silently blank a cell (a blank breakdown means the total): show what it was.
  return JSON.stringify(value) ?? String(value);
}

/**
 * The calendar day of an Excel date cell. exceljs maps the serial number Excel stores (which has no
 * time zone) onto UTC, so the day is read in UTC whatever the process's zone; a time of day, if
 * any, does not change the day Excel shows.
 */
function isoDay(date: Date): string {
  if (Number.isNaN(date.getTime())) return 'not a valid date';
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth() + 1;
  const d = date.getUTCDate();
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function formulaProblem(row: number, cell: SheetCell, column: string | undefined): Problem {
  const at = {
    row,
    column: column ?? columnLetter(cell.col),
    value: cell.formula ? `=${cell.formula}` : '(shared formula)',
  };
  const address = `${columnLetter(cell.col)}${row}`;
  return cell.formula
    ? problem('formula-not-allowed', at, { cell: address, formula: truncate(`=${cell.formula}`, 60) })
    : problem('formula-not-allowed.shared', at, { cell: address });
}

/** Excel's column letters: 1 → A, 27 → AA. */
function columnLetter(col: number): string {
  let letters = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}
