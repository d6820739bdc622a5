import { parse as parseCsv } from 'csv-parse';
import { type CheckContext, type CheckedReturn, ReturnChecker } from './check-return.ts';
import { StopReading } from './csv/decoding.ts';
import {
  DELIMITER_NAMES,
  type Delimiter,
  delimiterOf,
  findHeader,
  withoutTrailingEmpty,
} from './csv/dialect.ts';
import { decodeText } from './csv/encoding.ts';
import { duplicateKeys, nestedDeeperAt } from './json-text.ts';
import { problem } from './problems.ts';
import { readXlsx } from './xlsx/read-xlsx.ts';

/** The file formats a national return may come in. */
export type ReturnFormat = 'csv' | 'json' | 'xlsx';

/**
 * The format named by a file's extension, or null when returns cannot have it (macro-enabled
 * workbooks such as .xlsm included).
 */
export function formatOf(filename: string): ReturnFormat | null {
  const m = /\.([a-z0-9]+)$/i.exec(filename);
  const ext = m?.[1]?.toLowerCase();
  return ext === 'csv' || ext === 'json' || ext === 'xlsx' ? ext : null;
}

/** A separator as messages show it, the same in every language. */
const DELIMITER_SHOWN: Readonly<Record<Delimiter, string>> = { ',': '","', ';': '";"', '\t': 'TAB' };

/** A CSV record longer than this is not a return row (it stops a 10 MB single line early). */
const MAX_RECORD_CHARS = 64 * 1024;

/**
 * Reads a national return from a byte stream and checks it: parse by format, then every row
 * through one `ReturnChecker`. Never throws for bad input: every problem ends up in the report.
 * Streams CSV (memory follows the operation's size, not the file's); JSON and XLSX are read
 * whole, within the operation's file-size limit. CSV may be separated by commas, semicolons or
 * tabs and come in UTF-8, UTF-16 with a byte-order mark or Windows-1252 (see `decodeText`); JSON
 * is UTF-8.
 */
export async function readReturn(
  source: AsyncIterable<Uint8Array>,
  format: ReturnFormat,
  ctx: CheckContext,
): Promise<CheckedReturn> {
  const checker = new ReturnChecker(ctx);
  // A workbook is a ZIP archive: read as bytes (within the same size limit), never decoded as text.
  if (format === 'xlsx') return readXlsx(source, checker, ctx).then(() => checker.finish());
  const text = decodeText(source, {
    maxBytes: ctx.operation.limits.maxFileBytes,
    convert: format === 'csv',
    report: (p) => checker.fileProblem(p),
  });
  try {
    if (format === 'csv') await readCsv(text, checker);
    else await readJson(text, checker, ctx);
  } catch (e) {
    if (!(e instanceof StopReading)) throw e;
  }
  return checker.finish();
}

/**
 * Rows Excel adds around a table, ignored: empty cells after the header's last column, and rows
 * of nothing but separators. Counted as they pass, reported once each as a warning.
 */
class IgnoredCells {
  #trailing = { count: 0, first: 0 };
  #separatorRows = { count: 0, first: 0 };

  trailing(row: number): void {
    IgnoredCells.#add(this.#trailing, row);
  }

  separatorRow(row: number): void {
    IgnoredCells.#add(this.#separatorRows, row);
  }

  report(checker: ReturnChecker): void {
    const t = this.#trailing;
    if (t.count > 0) {
      checker.fileProblem(
        problem('empty-cells-ignored', { row: t.first }, { count: t.count, first: t.first }),
      );
    }
    const s = this.#separatorRows;
    if (s.count > 0) {
      checker.fileProblem(
        problem('empty-cells-ignored.separator-rows', { row: s.first }, { count: s.count, first: s.first }),
      );
    }
  }

  static #add(counter: { count: number; first: number }, row: number): void {
    if (counter.count === 0) counter.first = row;
    counter.count++;
  }
}

async function readCsv(text: AsyncIterable<string>, checker: ReturnChecker): Promise<void> {
  const ignored = new IgnoredCells();
  const found = await findHeader(text, {
    maxLineChars: MAX_RECORD_CHARS,
    // Blank rows before the header count too: 25 MB of line ends must not keep the reader busy.
    blankRow: (row, separators) => {
      if (separators) ignored.separatorRow(row);
      return checker.line(row);
    },
  });
  try {
    if (found.header === null) {
      if (found.rowsBefore === 0) {
        checker.fileProblem(problem('no-rows.no-header', {}, {}));
      }
      return;
    }
    const delimiter = delimiterOf(found.header);
    if (!delimiter.ok) {
      const row = found.rowsBefore + 1;
      const separators = delimiter.error.map((d) => DELIMITER_SHOWN[d]).join(' ');
      checker.fileProblem(
        problem('ambiguous-delimiter', { row, value: found.header }, { found: separators }),
      );
      return;
    }
    await readRecords(found.text, delimiter.value, found.rowsBefore, checker, ignored);
  } finally {
    await found.close();
    ignored.report(checker);
  }
}

/** Parses the records from the header on (`rowsBefore` blank rows were dropped before it) and checks each. */
async function readRecords(
  text: AsyncIterable<string>,
  delimiter: Delimiter,
  rowsBefore: number,
  checker: ReturnChecker,
  ignored: IgnoredCells,
): Promise<void> {
  const parser = parseCsv({
    delimiter,
    relax_column_count: true,
    skip_empty_lines: false,
    max_record_size: MAX_RECORD_CHARS,
  });
  let rowNumber = rowsBefore;
  let columns: ReturnType<ReturnChecker['header']> | undefined;
  const feed = (async () => {
    try {
      for await (const chunk of text) {
        if (!parser.destroyed && !parser.write(chunk) && !parser.destroyed) await drainedOrClosed(parser);
        if (parser.destroyed) return;
      }
      if (!parser.destroyed) parser.end();
    } catch (e) {
      parser.destroy(e instanceof Error ? e : new Error(String(e)));
    }
  })();
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      rowNumber++;
      // A spreadsheet's blank row may come out as a blank line or as a line of empty cells.
      if (record.every(isEmpty)) {
        if (record.length > 1) ignored.separatorRow(rowNumber);
        if (!checker.line(rowNumber)) break;
        continue;
      }
      if (!columns) {
        const named = withoutTrailingEmpty(record);
        if (named.length < record.length) ignored.trailing(rowNumber);
        columns = checker.header(named, rowNumber);
        continue;
      }
      let cells = record;
      if (record.length > columns.length && record.slice(columns.length).every(isEmpty)) {
        ignored.trailing(rowNumber);
        cells = record.slice(0, columns.length);
      }
      if (cells.length !== columns.length) {
        if (!checker.line(rowNumber)) break;
        checker.fileProblem(
          problem(
            'wrong-field-count',
            { row: rowNumber, value: record.join(delimiter) },
            {
              row: rowNumber,
              cells: cells.length,
              columns: columns.length,
              delimiter: DELIMITER_NAMES[delimiter].one,
              example: `1${delimiter === '\t' ? '<tab>' : delimiter}200`,
              extra: cells.length > columns.length ? 'yes' : 'no',
            },
          ),
        );
        continue;
      }
      const byColumn: Record<string, string> = {};
      for (let i = 0; i < columns.length; i++) {
        const column = columns[i];
        if (column) byColumn[column] = cells[i] ?? '';
      }
      checker.row({ row: rowNumber, cells: byColumn });
      if (checker.stopped) break;
    }
  } catch (e) {
    if (e instanceof StopReading) throw e;
    const { code = '', records } = e as { code?: string; records?: unknown };
    // The parser reads ahead of the rows checked so far: its own record count locates the error.
    const at = typeof records === 'number' ? rowsBefore + records + 1 : rowNumber + 1;
    checker.fileProblem(
      code === 'CSV_MAX_RECORD_SIZE'
        ? problem('malformed-csv.row-too-long', { row: at }, { row: at, limit: MAX_RECORD_CHARS })
        : problem(
            'malformed-csv.quotes',
            { row: at },
            {
              after: at - 1,
              // The parser's own words, in English: the hint says what to do in the reader's language.
              detail: (e as Error).message.replace(/^Invalid Record Length: /, ''),
              delimiter: DELIMITER_NAMES[delimiter].one,
            },
          ),
    );
  } finally {
    parser.destroy();
    await feed.catch(() => undefined);
  }
}

const isEmpty = (cell: string): boolean => cell.trim() === '';

async function readJson(
  text: AsyncIterable<string>,
  checker: ReturnChecker,
  ctx: CheckContext,
): Promise<void> {
  let body = '';
  for await (const chunk of text) body += chunk;
  const deep = nestedDeeperAt(body, MAX_JSON_DEPTH);
  if (deep >= 0) {
    // Checked before parsing: a depth bomb costs JSON.parse a gigabyte, and any recursive walk its stack.
    checker.fileProblem(problem('json-shape.too-deep', {}, { depth: MAX_JSON_DEPTH, at: deep + 1 }));
    return;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (e) {
    checker.fileProblem(problem('malformed-json', {}, { detail: (e as Error).message }));
    return;
  }
  // Which of two equal keys counts depends on the reader (JSON.parse keeps the last, silently):
  // a return whose figures depend on it is rejected.
  for (const dup of duplicateKeys(body)) {
    checker.fileProblem(
      dup.row === null
        ? problem(
            'duplicate-key.document',
            { column: dup.key, value: dup.again },
            { key: dup.key, first: dup.first, again: dup.again },
          )
        : problem(
            'duplicate-key',
            { row: dup.row, column: dup.key, value: dup.again },
            { index: dup.row - 1, key: dup.key, first: dup.first, again: dup.again },
          ),
    );
  }
  // What the hints of a misshapen file show: this operation's and country's own file.
  const shape = { operation: ctx.operation.id, country: ctx.country, example: ctx.operation.window.start };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    checker.fileProblem(problem('json-shape.not-object', {}, shape));
    return;
  }
  const top = doc as Record<string, unknown>;
  for (const key of Object.keys(top)) {
    if (!['operation', 'country', 'rows'].includes(key)) {
      checker.fileProblem(problem('unknown-column.json-field', { column: key }, { name: key, ...shape }));
    }
  }
  if (Object.hasOwn(top, 'operation') && top.operation !== ctx.operation.id) {
    checker.fileProblem(
      problem(
        'operation-mismatch',
        { column: 'operation', value: top.operation },
        { found: String(JSON.stringify(top.operation)), operation: ctx.operation.id },
      ),
    );
  }
  if (
    Object.hasOwn(top, 'country') &&
    (typeof top.country !== 'string' || top.country.toUpperCase() !== ctx.country)
  ) {
    checker.fileProblem(
      problem(
        'country-mismatch.json',
        { column: 'country', value: JSON.stringify(top.country) },
        { found: String(JSON.stringify(top.country)), country: ctx.country },
      ),
    );
  }
  if (!Array.isArray(top.rows)) {
    checker.fileProblem(problem('json-shape.no-rows', { column: 'rows' }, shape));
    return;
  }
  const allowed = new Set(['date', 'metric', 'breakdown', 'value', 'country']);
  for (const [i, row] of top.rows.entries()) {
    const at = i + 1;
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      checker.fileProblem(
        problem(
          'json-shape.row-not-object',
          { row: at, value: JSON.stringify(row)?.slice(0, 80) },
          { index: i, ...shape },
        ),
      );
      continue;
    }
    const cells = row as Record<string, unknown>;
    const unknown = Object.keys(cells).filter((k) => !allowed.has(k));
    if (unknown.length > 0) {
      for (const key of unknown) {
        checker.fileProblem(
          problem('unknown-column.json-row-field', { row: at, column: key }, { index: i, name: key }),
        );
      }
      continue;
    }
    checker.row({ row: at, cells, typed: true });
    if (checker.stopped) break;
  }
}

/** A return nests three levels (object, rows, row); anything far deeper is not one. */
const MAX_JSON_DEPTH = 32;

/** Resolves when a stream drains or closes: a destroyed stream never drains. */
function drainedOrClosed(stream: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}
