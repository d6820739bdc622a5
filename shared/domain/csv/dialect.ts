import { RETURN_COLUMNS } from '../check-return.ts';
import { err, ok, type Result } from '../result.ts';

/** The separators a CSV return may use: Excel writes commas, semicolons (in much of Europe) or tabs. */
export const DELIMITERS = [',', ';', '\t'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

/** A separator's name, as messages say it. */
export const DELIMITER_NAMES: Readonly<Record<Delimiter, { one: string; many: string }>> = {
  ',': { one: 'comma', many: 'commas' },
  ';': { one: 'semicolon', many: 'semicolons' },
  '\t': { one: 'tab', many: 'tabs' },
};

/**
 * The separator of a header line: the one that splits it into return column names (empty cells at
 * its end aside); else the only one the line holds outside quotes; a comma when it holds none (the
 * header checks then say what is wrong). An error, listing the separators found, when the line holds
 * several and none splits it into column names: guessing could misread every row.
 *
 * @example delimiterOf('Date;Metric;Value') // ok(';')
 * @example delimiterOf('date;metric,breakdown;value') // err([',', ';'])
 */
export function delimiterOf(header: string): Result<Delimiter, Delimiter[]> {
  const found = DELIMITERS.filter((d) => splitLine(header, d).length > 1);
  const names = new Set<string>(RETURN_COLUMNS);
  const fits = found.filter((d) => {
    const cells = withoutTrailingEmpty(splitLine(header, d));
    return cells.length > 1 && cells.every((cell) => names.has(cell.trim().toLowerCase()));
  });
  const [only] = fits.length === 1 ? fits : found;
  if (fits.length === 1 || found.length === 1) return ok(only as Delimiter);
  return found.length === 0 ? ok(',') : err(found);
}

/**
 * Splits one line at `delimiter` where it is outside double quotes, and unquotes each cell (`""`
 * inside quotes is one quote). Lenient: it only serves to recognise a header, the CSV parser reads
 * the file.
 */
export function splitLine(line: string, delimiter: Delimiter): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (ch === '"') {
      if (quoted && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else {
        quoted = !quoted;
      }
    } else if (ch === delimiter && !quoted) {
      cells.push(cell);
      cell = '';
    } else {
      cell += ch;
    }
  }
  cells.push(cell);
  return cells;
}

/** The cells before any run of empty (or blank) cells that ends the row. */
export function withoutTrailingEmpty<T extends string>(cells: readonly T[]): T[] {
  let end = cells.length;
  while (end > 0 && (cells[end - 1] as string).trim() === '') end--;
  return cells.slice(0, end);
}

/** The header line of a CSV text, and the text from it on. */
export type HeaderSearch = {
  /** The blank rows before the header, each already passed to `blankRow`. */
  rowsBefore: number;
  /** The header line as written (cut at `maxLineChars`), or null: the text holds only blank rows. */
  header: string | null;
  /** True when `blankRow` asked to stop before the header was found. */
  stopped: boolean;
  /** The text from the header line on; read it, or `close` it. */
  text: AsyncIterable<string>;
  /** Releases the source when `text` is not read to its end. */
  close(): Promise<void>;
};

/**
 * Finds the first row of a CSV text that is not blank — the header, whose separator is not known
 * yet — holding nothing but that line: blank rows before it (empty, spaces, or only separators of
 * any kind) are passed to `blankRow` one by one and dropped, and reading stops when it answers false.
 * Line ends are LF, CRLF or CR; a line end inside double quotes does not end the line.
 */
export async function findHeader(
  source: AsyncIterable<string>,
  options: { maxLineChars: number; blankRow: (row: number, separators: boolean) => boolean },
): Promise<HeaderSearch> {
  const it = source[Symbol.asyncIterator]();
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await it.return?.();
  };
  let buf = '';
  let done = false;
  let rows = 0;
  // The line being scanned starts at `start`; `pos` is the next character to look at.
  let start = 0;
  let pos = 0;
  let quoted = false;
  let blank = true;
  let separators = false;
  const result = (header: string | null, stopped: boolean): HeaderSearch => {
    const rest = buf.slice(start);
    return {
      rowsBefore: rows,
      header,
      stopped,
      close,
      text: (async function* () {
        try {
          if (rest) yield rest;
          while (!done) {
            const next = await it.next();
            if (next.done) break;
            yield next.value;
          }
        } finally {
          await close();
        }
      })(),
    };
  };
  for (;;) {
    let end = -1;
    let next = -1;
    for (; pos < buf.length; pos++) {
      const ch = buf.charCodeAt(pos);
      if (ch === QUOTE) {
        quoted = !quoted;
        blank = false;
      } else if (!quoted && (ch === LF || ch === CR)) {
        if (ch === CR && pos + 1 === buf.length && !done) break; // a CRLF may be split across chunks
        end = pos;
        next = ch === CR && buf.charCodeAt(pos + 1) === LF ? pos + 2 : pos + 1;
        break;
      } else if (ch === COMMA || ch === SEMICOLON || ch === TAB) {
        separators = true;
      } else if (blank && !isSpace(ch)) {
        blank = false;
      }
    }
    if (end < 0) {
      if (!done && pos - start <= options.maxLineChars) {
        const chunk = await it.next();
        if (chunk.done) done = true;
        else {
          // Keep only the line being scanned: dropped blank rows must not pile up.
          buf = buf.slice(start) + chunk.value;
          pos -= start;
          start = 0;
        }
        continue;
      }
      // The end of the text, or a line too long to be a header: the parser will say so.
      if (start === buf.length) {
        await close();
        return result(null, false);
      }
      if (!blank || !done) return result(buf.slice(start, start + options.maxLineChars), false);
      end = buf.length;
      next = buf.length;
    }
    if (!blank) return result(buf.slice(start, end), false);
    rows++;
    if (!options.blankRow(rows, separators)) {
      await close();
      return result(null, true);
    }
    start = next;
    pos = next;
    separators = false;
  }
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const TAB = 0x09;

/** White space as `String.prototype.trim` removes it (line ends aside: they end the row). */
function isSpace(ch: number): boolean {
  if (ch === 0x20 || ch === 0x0b || ch === 0x0c || ch === 0xa0 || ch === 0xfeff) return true;
  return ch > 0x7f && /\s/.test(String.fromCharCode(ch));
}
