import { parse as parseCsv } from 'csv-parse';
import { type CheckContext, type CheckedReturn, ReturnChecker } from './check-return.ts';
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

/** A CSV record longer than this is not a return row (it stops a 10 MB single line early). */
const MAX_RECORD_CHARS = 64 * 1024;

class StopReading extends Error {
  constructor() {
    super('stop reading');
    this.name = 'StopReadingError';
  }
}

/**
 * Reads a national return from a byte stream and checks it: parse by format, then every row
 * through one `ReturnChecker`. Never throws for bad input: every problem ends up in the report.
 * Streams CSV (memory follows the operation's size, not the file's); JSON and XLSX are read
 * whole, within the operation's file-size limit.
 */
export async function readReturn(
  source: AsyncIterable<Uint8Array>,
  format: ReturnFormat,
  ctx: CheckContext,
): Promise<CheckedReturn> {
  const checker = new ReturnChecker(ctx);
  // A workbook is a ZIP archive: read as bytes (within the same size limit), never decoded as text.
  if (format === 'xlsx') return readXlsx(source, checker, ctx).then(() => checker.finish());
  const bytes = limitedUtf8(source, ctx.operation.limits.maxFileBytes, checker);
  try {
    if (format === 'csv') await readCsv(bytes, checker);
    else await readJson(bytes, checker, ctx);
  } catch (e) {
    if (!(e instanceof StopReading)) throw e;
  }
  return checker.finish();
}

/**
 * Decodes UTF-8 text as it streams, stopping with a clear problem at the first sign of another
 * encoding, a binary file, or more bytes than allowed. A UTF-8 byte-order mark is dropped.
 */
async function* limitedUtf8(
  source: AsyncIterable<Uint8Array>,
  maxBytes: number,
  checker: ReturnChecker,
): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let total = 0;
  // The first two bytes tell UTF-16 and ZIP files apart; they may arrive in separate chunks.
  let head: Uint8Array | null = new Uint8Array(0);
  const fail = (
    code: 'not-utf8' | 'unsupported-format' | 'file-too-large' | 'empty-file',
    message: string,
    hint: string,
  ) => {
    checker.fileProblem(problem(code, {}, message, hint));
    return new StopReading();
  };
  const decode = (bytes: Uint8Array, at: number): string => {
    if (bytes.includes(0)) {
      throw fail(
        'not-utf8',
        'The file contains binary data (NUL bytes), not text.',
        'Upload the return as CSV UTF-8 or JSON text.',
      );
    }
    try {
      return decoder.decode(bytes, { stream: true });
    } catch {
      throw fail(
        'not-utf8',
        `The file is not valid UTF-8 text (near byte ${at}).`,
        'Save the file as "CSV UTF-8" (in Excel: Save As → CSV UTF-8); other encodings such as Latin-1 are not accepted.',
      );
    }
  };
  for await (const chunk of source) {
    total += chunk.length;
    if (total > maxBytes) {
      throw fail(
        'file-too-large',
        `The file is larger than ${maxBytes} bytes.`,
        'Upload only your country’s rows; split nothing — a return this size is not a national return.',
      );
    }
    let bytes = chunk;
    if (head) {
      bytes = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      if (bytes.length < 2) {
        head = bytes;
        continue;
      }
      head = null;
      const b0 = bytes[0];
      const b1 = bytes[1];
      if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) {
        throw fail(
          'not-utf8',
          'The file is encoded as UTF-16.',
          'Save the file as "CSV UTF-8" (in Excel: Save As → CSV UTF-8), or as UTF-8 text.',
        );
      }
      if (b0 === 0x50 && b1 === 0x4b) {
        throw fail(
          'unsupported-format',
          'The file is a ZIP archive (perhaps an Excel workbook) with a text extension.',
          'Upload Excel workbooks with the .xlsx extension, or save the sheet as CSV UTF-8.',
        );
      }
    }
    const text = decode(bytes, total - bytes.length);
    if (text) yield text;
  }
  if (head && head.length > 0) {
    const text = decode(head, 0);
    if (text) yield text;
  }
  try {
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch {
    throw fail(
      'not-utf8',
      'The file ends in the middle of a UTF-8 character.',
      'Save the file again as CSV UTF-8.',
    );
  }
  if (total === 0) {
    throw fail(
      'empty-file',
      'The file is empty.',
      'Upload your return with a header line and one row per date and metric.',
    );
  }
}

async function readCsv(text: AsyncIterable<string>, checker: ReturnChecker): Promise<void> {
  const parser = parseCsv({
    relax_column_count: true,
    skip_empty_lines: false,
    max_record_size: MAX_RECORD_CHARS,
  });
  let rowNumber = 0;
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
      const blank = record.every((cell) => cell.trim() === '');
      if (!columns) {
        // Blank lines before the header count too: 25 MB of line ends must not keep the reader busy.
        if (blank) {
          if (!checker.line(rowNumber)) break;
          continue;
        }
        columns = checker.header(record, rowNumber);
        continue;
      }
      if (blank) {
        if (!checker.line(rowNumber)) break;
        continue;
      }
      if (record.length !== columns.length) {
        if (!checker.line(rowNumber)) break;
        checker.fileProblem(
          problem(
            'wrong-field-count',
            { row: rowNumber, value: record.join(',') },
            `Row ${rowNumber} has ${record.length} cells; the header has ${columns.length}.`,
            'Give every row the same columns as the header; a comma inside a value must be quoted ("1,200" is read as two cells).',
          ),
        );
        continue;
      }
      const cells: Record<string, string> = {};
      for (let i = 0; i < columns.length; i++) {
        const column = columns[i];
        if (column) cells[column] = record[i] ?? '';
      }
      checker.row({ row: rowNumber, cells });
      if (checker.stopped) break;
    }
  } catch (e) {
    if (e instanceof StopReading) throw e;
    const { code = '', records } = e as { code?: string; records?: unknown };
    // The parser reads ahead of the rows checked so far: its own record count locates the error.
    const at = typeof records === 'number' ? records + 1 : rowNumber + 1;
    const message =
      code === 'CSV_MAX_RECORD_SIZE'
        ? `Row ${at} is longer than ${MAX_RECORD_CHARS} characters.`
        : `The CSV cannot be read after row ${at - 1}: ${(e as Error).message.replace(/^Invalid Record Length: /, '')}`;
    checker.fileProblem(
      problem(
        'malformed-csv',
        { row: at },
        message,
        code === 'CSV_MAX_RECORD_SIZE'
          ? 'Put one row per line; check the file is really your return.'
          : 'Check quotes in that row: a value with a comma or a quote must be enclosed in double quotes, and a quote inside it doubled ("").',
      ),
    );
  } finally {
    parser.destroy();
    await feed.catch(() => undefined);
  }
  if (!columns && rowNumber === 0) {
    checker.fileProblem(
      problem(
        'no-rows',
        {},
        'The file has no header and no rows.',
        'Start the file with the header line: date,metric,breakdown,value',
      ),
    );
  }
}

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
    checker.fileProblem(
      problem(
        'json-shape',
        {},
        `The JSON nests lists or objects more than ${MAX_JSON_DEPTH} levels deep (at character ${deep + 1}).`,
        'The file must be one object: { "operation": "…", "country": "…", "rows": [ { "date": …, "metric": …, "value": … } ] }.',
      ),
    );
    return;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (e) {
    checker.fileProblem(
      problem(
        'malformed-json',
        {},
        `The file is not valid JSON: ${(e as Error).message}.`,
        'Check the file is complete (not cut short) and is one JSON object: { "operation": …, "country": …, "rows": [ … ] }.',
      ),
    );
    return;
  }
  // Which of two equal keys counts depends on the reader (JSON.parse keeps the last, silently):
  // a return whose figures depend on it is rejected.
  for (const dup of duplicateKeys(body)) {
    checker.fileProblem(
      problem(
        'duplicate-key',
        { row: dup.row, column: dup.key, value: dup.again },
        `${dup.row === null ? 'The document' : `rows[${dup.row - 1}]`} gives the field "${dup.key}" twice: ${dup.first}, then ${dup.again}.`,
        'Give each field once per object: readers of JSON disagree on which of two equal keys counts, so this file would not mean one thing.',
      ),
    );
  }
  const shapeHint =
    'The file must be one object: { "operation": "…", "country": "…", "rows": [ { "date": …, "metric": …, "value": … } ] }.';
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    checker.fileProblem(problem('json-shape', {}, 'The JSON is not an object.', shapeHint));
    return;
  }
  const top = doc as Record<string, unknown>;
  for (const key of Object.keys(top)) {
    if (!['operation', 'country', 'rows'].includes(key)) {
      checker.fileProblem(
        problem(
          'unknown-column',
          { column: key },
          `The JSON has a field "${key}" that returns do not have.`,
          shapeHint,
        ),
      );
    }
  }
  if (Object.hasOwn(top, 'operation') && top.operation !== ctx.operation.id) {
    checker.fileProblem(
      problem(
        'operation-mismatch',
        { column: 'operation', value: top.operation },
        `The file is for operation ${JSON.stringify(top.operation)}, but it was uploaded to ${ctx.operation.id}.`,
        `Set "operation" to "${ctx.operation.id}", or upload the file to the operation it is for.`,
      ),
    );
  }
  if (
    Object.hasOwn(top, 'country') &&
    (typeof top.country !== 'string' || top.country.toUpperCase() !== ctx.country)
  ) {
    checker.fileProblem(
      problem(
        'country-mismatch',
        { column: 'country', value: JSON.stringify(top.country) },
        `The file is for country ${JSON.stringify(top.country)}, but it is uploaded for ${ctx.country}.`,
        `Set "country" to "${ctx.country}"; upload other countries' figures from their own accounts.`,
      ),
    );
  }
  if (!Array.isArray(top.rows)) {
    checker.fileProblem(problem('json-shape', { column: 'rows' }, 'The JSON has no "rows" list.', shapeHint));
    return;
  }
  const allowed = new Set(['date', 'metric', 'breakdown', 'value', 'country']);
  for (const [i, row] of top.rows.entries()) {
    const at = i + 1;
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      checker.fileProblem(
        problem(
          'json-shape',
          { row: at, value: JSON.stringify(row)?.slice(0, 80) },
          `rows[${i}] is not an object.`,
          shapeHint,
        ),
      );
      continue;
    }
    const cells = row as Record<string, unknown>;
    const unknown = Object.keys(cells).filter((k) => !allowed.has(k));
    if (unknown.length > 0) {
      for (const key of unknown) {
        checker.fileProblem(
          problem(
            'unknown-column',
            { row: at, column: key },
            `rows[${i}] has a field "${key}" that rows do not have.`,
            'Each row has: date, metric, value, and optionally breakdown and country.',
          ),
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
