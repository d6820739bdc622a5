/**
 * Every problem a national return can have, by code. Errors reject the whole file; warnings are
 * reported and the file still counts. The README's table of codes is generated from this list's
 * content by hand; the unit test `problems.test.ts` checks that every code is documented there.
 */
export const PROBLEM_CODES = {
  // The file as a whole
  'file-too-large': 'error',
  'unsupported-format': 'error',
  'empty-file': 'error',
  'not-utf8': 'error',
  'malformed-csv': 'error',
  'malformed-json': 'error',
  'json-shape': 'error',
  'too-many-rows': 'error',
  'no-rows': 'error',
  'operation-mismatch': 'error',
  'unknown-country': 'error',
  'operation-not-open': 'error',
  'slot-already-used': 'error',
  // The header
  'missing-column': 'error',
  'unknown-column': 'error',
  'duplicate-column': 'error',
  'ambiguous-delimiter': 'error',
  // One cell or row
  'wrong-field-count': 'error',
  'cell-too-long': 'error',
  'country-mismatch': 'error',
  'unknown-metric': 'error',
  'bad-breakdown': 'error',
  'unknown-breakdown': 'error',
  'bad-date': 'error',
  'date-outside-window': 'error',
  'bad-value': 'error',
  'value-too-large': 'error',
  'duplicate-row': 'error',
  'duplicate-key': 'error',
  // Rules across rows
  'breakdown-without-total': 'error',
  'rule-violation': 'error',
  // Warnings
  'total-decreased': 'warning',
  'rule-warning': 'warning',
  'encoding-converted': 'warning',
  'empty-cells-ignored': 'warning',
  // Excel workbooks
  'macro-workbook': 'error',
  'zip-bomb': 'error',
  'too-many-cells': 'error',
  'formula-not-allowed': 'error',
} as const;

export type ProblemCode = keyof typeof PROBLEM_CODES;
export type Severity = 'error' | 'warning';

/**
 * One problem, located as the agency sees its file: `row` counts rows the way a spreadsheet does
 * (the header is row 1) for CSV and Excel, and is the 1-based position in `rows` for JSON.
 */
export type Problem = {
  severity: Severity;
  code: ProblemCode;
  row: number | null;
  column: string | null;
  value: string | null;
  message: string;
  hint: string;
};

/**
 * Builds a problem; the severity follows from the code unless a rule sets it. Whatever a file
 * holds, the problem stays small: the column and value are cut short (`truncate`), so is any
 * copy of them the message or hint quotes, and the message and hint as a whole are bounded —
 * JSON keys and top-level values are not cells, so no cell limit keeps them short before here.
 */
export function problem(
  code: ProblemCode,
  at: { row?: number | null; column?: string | null; value?: unknown },
  message: string,
  hint: string,
): Problem {
  const column = at.column ?? null;
  const value = at.value === undefined || at.value === null ? null : String(at.value);
  // Long texts the message quotes as given are replaced by their cut form, so it still reads well.
  const quoted = [column, value].filter((t): t is string => t !== null && t.length > MAX_ECHO_CHARS);
  const bounded = (text: string): string =>
    truncate(
      quoted.reduce((out, long) => out.split(long).join(truncate(long)), text),
      MAX_TEXT_CHARS,
    );
  return {
    severity: PROBLEM_CODES[code],
    code,
    row: at.row ?? null,
    column: column === null ? null : truncate(column),
    value: value === null ? null : truncate(value),
    message: bounded(message),
    hint: bounded(hint),
  };
}

/** How much of a file's own text (a column, a value) a problem echoes back. */
const MAX_ECHO_CHARS = 80;

/** The longest message or hint: well above any we write, far below what a hostile file could make. */
const MAX_TEXT_CHARS = 1_000;

/** Values echoed back in reports are cut short: a 10 MB cell must not make a 10 MB report. */
export function truncate(value: string, max = MAX_ECHO_CHARS): string {
  return value.length <= max ? value : `${value.slice(0, max)}… (${value.length} characters)`;
}
