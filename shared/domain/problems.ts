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

/** Builds a problem; the severity follows from the code unless a rule sets it. */
export function problem(
  code: ProblemCode,
  at: { row?: number | null; column?: string | null; value?: unknown },
  message: string,
  hint: string,
): Problem {
  return {
    severity: PROBLEM_CODES[code],
    code,
    row: at.row ?? null,
    column: at.column ?? null,
    value: at.value === undefined || at.value === null ? null : truncate(String(at.value)),
    message,
    hint,
  };
}

/** Values echoed back in reports are cut short: a 10 MB cell must not make a 10 MB report. */
export function truncate(value: string, max = 80): string {
  return value.length <= max ? value : `${value.slice(0, max)}… (${value.length} characters)`;
}
