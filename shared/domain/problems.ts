import type { MessageKey, MessageParams, Params } from '../i18n/catalogues.generated.ts';
import { MAX_TEXT_CHARS, renderProblem } from '../i18n/render.ts';

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
 * Which message of the catalogues a problem has: its code, or its code and a variant
 * (`bad-value.negative`), as the English catalogue's `problem.{id}.message` keys list them. A rule's
 * warning (`rule-warning.…`) says what the same rule's error says.
 */
export type ProblemId = CatalogueId | AsRuleWarning<CatalogueId>;
type AsRuleWarning<I> = I extends `rule-violation${infer V}` ? `rule-warning${V}` : never;
type AsCatalogueId<I> = I extends `rule-warning${infer V}` ? `rule-violation${V}` : I;
type ParamsOfKey<K> = K extends keyof MessageParams ? MessageParams[K] : never;

/**
 * The parameters message `I` names, in its sentence and its hint, as the English catalogue writes
 * them: the compiler checks every problem a check reports against the catalogue.
 */
export type ProblemParams<I extends ProblemId> = ParamsOfKey<`problem.${AsCatalogueId<I>}.message`> &
  ParamsOfKey<`problem.${AsCatalogueId<I>}.hint`>;
type CatalogueId = MessageKey extends infer K ? (K extends `problem.${infer I}.message` ? I : never) : never;

/**
 * One problem, located as the agency sees its file: `row` counts rows the way a spreadsheet does
 * (the header is row 1) for CSV and Excel, and is the 1-based position in `rows` for JSON.
 *
 * The problem is data: `code`, `variant` and `params` are what a client renders in its reader's
 * language (`renderProblem` in `shared/i18n/render.ts`); `message` and `hint` are the English
 * rendering made with it, kept for clients that do not render yet. Problems stored before messages
 * became data have no `params`: they render as their `message` and `hint`.
 */
export type Problem = {
  severity: Severity;
  code: ProblemCode;
  row: number | null;
  column: string | null;
  value: string | null;
  /** Which of the code's messages, when it has several (`negative` for `bad-value`). */
  variant?: string;
  /** What the message says about this problem: the values, limits and suggestions it names. */
  params?: Params;
  /** The English sentence (rendered from the catalogue when made). */
  message: string;
  /** The English hint: what to change. */
  hint: string;
};

/**
 * Builds a problem from its message id (`'bad-value.negative'`, or a code alone), where it is, and
 * the message's parameters; the severity follows from the code unless a rule sets it. Whatever a
 * file holds, the problem stays small: the column, the value and every text parameter are cut short
 * (`truncate`), and the rendered message and hint are bounded.
 *
 * The form with an English `message` and `hint` is kept for callers not yet moved to message ids;
 * such a problem reads the same in every language.
 */
export function problem<I extends ProblemId>(
  id: I,
  at: { row?: number | null; column?: string | null; value?: unknown },
  params: ProblemParams<I>,
): Problem;
/** @deprecated Give a message id and its parameters instead, so the problem can be translated. */
export function problem(
  code: ProblemCode,
  at: { row?: number | null; column?: string | null; value?: unknown },
  message: string,
  hint: string,
): Problem;
export function problem(
  id: ProblemId | ProblemCode,
  at: { row?: number | null; column?: string | null; value?: unknown },
  paramsOrMessage: Params | string,
  legacyHint = '',
): Problem {
  const dot = id.indexOf('.');
  const code = (dot < 0 ? id : id.slice(0, dot)) as ProblemCode;
  if (!Object.hasOwn(PROBLEM_CODES, code)) throw new TypeError(`Unknown problem code ${code}.`);
  const column = at.column ?? null;
  const value = at.value === undefined || at.value === null ? null : String(at.value);
  const located = {
    severity: PROBLEM_CODES[code],
    code,
    row: at.row ?? null,
    column: column === null ? null : truncate(column),
    value: value === null ? null : truncate(value),
  };
  if (typeof paramsOrMessage === 'string') {
    return { ...located, ...legacyText([column, value], paramsOrMessage, legacyHint) };
  }
  const params = Object.fromEntries(
    Object.entries(paramsOrMessage).map(([k, v]) => [k, typeof v === 'string' ? truncate(v) : v]),
  );
  const variant = dot < 0 ? undefined : id.slice(dot + 1);
  const text = renderProblem({ code, variant, params, message: '', hint: '' }, 'en');
  return { ...located, ...(variant ? { variant } : {}), params, ...text };
}

/** A caller's own English text, with the long texts it quotes cut short, and bounded as a whole. */
function legacyText(
  echoed: (string | null)[],
  message: string,
  hint: string,
): { message: string; hint: string } {
  const quoted = echoed.filter((t): t is string => t !== null && t.length > MAX_ECHO_CHARS);
  const bounded = (text: string): string =>
    truncate(
      quoted.reduce((out, long) => out.split(long).join(truncate(long)), text),
      MAX_TEXT_CHARS,
    );
  return { message: bounded(message), hint: bounded(hint) };
}

/** How much of a file's own text (a column, a value) a problem echoes back. */
const MAX_ECHO_CHARS = 80;

/** Values echoed back in reports are cut short: a 10 MB cell must not make a 10 MB report. */
export function truncate(value: string, max = MAX_ECHO_CHARS): string {
  return value.length <= max ? value : `${value.slice(0, max)}… (${value.length} characters)`;
}
