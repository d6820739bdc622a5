import type { AddProblem } from './checks/add-problem.ts';
import { CellChecks } from './checks/cells.ts';
import { type CountryFigures, exactFigures, figuresOf, warnDecreases } from './checks/figures.ts';
import { applyRules } from './checks/rules.ts';
import type { Operation } from './operation.ts';
import { type Problem, type ProblemCode, problem, truncate } from './problems.ts';
import { ReturnCells } from './return-cells.ts';

/**
 * One data row as read from a file, before any check; `row` is where the agency finds it.
 * `typed`: the format has types of its own (JSON), so a value must be a number, not text.
 */
export type RawRow = { row: number; cells: Readonly<Record<string, unknown>>; typed?: boolean };

/** The columns of a national return. `country` and `breakdown` may be left out. */
export const RETURN_COLUMNS = ['date', 'metric', 'breakdown', 'value', 'country'] as const;
export const REQUIRED_COLUMNS = ['date', 'metric', 'value'] as const;
type Column = (typeof RETURN_COLUMNS)[number];

/**
 * Problems with the file as a whole, such as why reading stopped: listed before row problems, and
 * never crowded out of a full list by them.
 */
const FILE_LEVEL_CODES: ReadonlySet<ProblemCode> = new Set<ProblemCode>([
  'file-too-large',
  'unsupported-format',
  'empty-file',
  'not-utf8',
  'malformed-csv',
  'malformed-json',
  'too-many-rows',
  'no-rows',
  'zip-bomb',
  'macro-workbook',
  'too-many-cells',
  'operation-mismatch',
  'unknown-country',
  'operation-not-open',
  'slot-already-used',
  'ambiguous-delimiter',
  'encoding-converted',
  'empty-cells-ignored',
]);
const isFileLevel = (p: Problem): boolean => FILE_LEVEL_CODES.has(p.code);

/** The outcome of checking a return: the report an agency reads. */
export type Report = {
  verdict: 'accepted' | 'rejected';
  counts: { rows: number; errors: number; warnings: number; byCode: Partial<Record<ProblemCode, number>> };
  /** The first problems, in file order (file-level problems first); `problemsOmitted` says how many more. */
  problems: Problem[];
  problemsOmitted: number;
};

export type CheckedReturn = { report: Report; figures: CountryFigures | null };

export type CheckContext = {
  operation: Operation;
  /** The uploading country (ISO alpha-2). */
  country: string;
  /** The figures of the country's current accepted return, for warnings. */
  previous?: Pick<CountryFigures, 'totals'> | null;
};

/**
 * Checks a national return row by row, holding only the distinct (date, metric, breakdown) cells,
 * so memory follows the operation's size, not the file's. Call `header` (for tabular formats),
 * `row` for each data row, `fileProblem` for anything a parser finds, then `finish` once.
 */
export class ReturnChecker {
  readonly #op: Operation;
  readonly #country: string;
  readonly #previous: Pick<CountryFigures, 'totals'> | null;
  readonly #cells: ReturnCells;
  /** The checks of one cell, reporting through `#add`. */
  readonly #check: CellChecks;
  /** Records a problem a check found at a row and column. */
  readonly #add: AddProblem = (id, row, column, value, params) => {
    this.fileProblem(problem(id, { row, column, value }, params));
  };
  readonly #problems: Problem[] = [];
  readonly #byCode: Partial<Record<ProblemCode, number>> = {};
  #errors = 0;
  #warnings = 0;
  #rows = 0;
  #lines = 0;
  #omitted = 0;
  #stopped = false;

  constructor(ctx: CheckContext) {
    this.#op = ctx.operation;
    this.#country = ctx.country;
    this.#previous = ctx.previous ?? null;
    this.#cells = new ReturnCells(ctx.operation);
    this.#check = new CellChecks(ctx.operation, this.#cells, this.#add);
  }

  /** True once reading further is pointless (the row limit was passed). */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Records a problem found outside the row checks (by a parser, or about the file). */
  fileProblem(p: Problem): void {
    if (p.severity === 'error') this.#errors++;
    else this.#warnings++;
    this.#byCode[p.code] = (this.#byCode[p.code] ?? 0) + 1;
    if (this.#problems.length < this.#op.limits.maxProblemsListed) {
      this.#problems.push(p);
      return;
    }
    this.#omitted++;
    const crowded = isFileLevel(p) ? this.#problems.findLastIndex((q) => !isFileLevel(q)) : -1;
    if (crowded >= 0) this.#problems[crowded] = p;
  }

  /**
   * Checks a tabular header; returns the canonical column for each position (undefined for an
   * unknown column). Names are matched without regard to case or surrounding spaces.
   */
  header(names: readonly string[], row = 1): (Column | undefined)[] {
    const seen = new Set<string>();
    const columns = names.map((raw, i) => {
      const name = raw.trim().toLowerCase();
      const column = (RETURN_COLUMNS as readonly string[]).includes(name) ? (name as Column) : undefined;
      if (!column) {
        this.fileProblem(
          problem('unknown-column', { row, column: `column ${i + 1}`, value: raw }, { name: raw }),
        );
      } else if (seen.has(column)) {
        this.fileProblem(problem('duplicate-column', { row, column, value: raw }, { column }));
      }
      if (column) seen.add(column);
      return column;
    });
    for (const required of REQUIRED_COLUMNS) {
      if (!seen.has(required)) {
        this.fileProblem(problem('missing-column', { row, column: required }, { column: required }));
      }
    }
    return columns;
  }

  /**
   * Counts one line of the file against the row limit — data rows, and also blank or malformed
   * lines, so that millions of empty lines cannot keep the reader busy. False once the limit is
   * passed (reading should stop; the report says why).
   */
  line(row: number): boolean {
    if (this.#stopped) return false;
    this.#lines++;
    if (this.#lines <= this.#op.limits.maxRows) return true;
    this.#stopped = true;
    this.fileProblem(problem('too-many-rows', { row }, { limit: this.#op.limits.maxRows }));
    return false;
  }

  /** Checks one data row and keeps its figure. */
  row(raw: RawRow): void {
    if (!this.line(raw.row)) return;
    this.#rows++;
    const at = raw.row;
    const before = this.#errors;
    // Strings are trimmed; an over-long cell is reported once and not checked further.
    const cells: Partial<Record<Column, unknown>> = {};
    for (const column of RETURN_COLUMNS) {
      const v = raw.cells[column];
      if (typeof v === 'string' && v.length > this.#op.limits.maxCellChars) {
        this.#add('cell-too-long', at, column, v, { column, length: v.length });
      } else {
        cells[column] = typeof v === 'string' ? v.trim() : v;
      }
    }
    if (this.#errors > before) return;

    const country = cells.country;
    if (country !== undefined && country !== null && String(country) !== '') {
      const cc = String(country);
      if (cc.toUpperCase() !== this.#country) {
        this.#add('country-mismatch', at, 'country', cc, { found: truncate(cc, 20), country: this.#country });
      }
    }

    const date = this.#check.date(at, cells.date);
    const metric = this.#check.metric(at, cells.metric);
    const breakdown = metric ? this.#check.breakdown(at, metric, cells.breakdown) : undefined;
    const value = this.#check.value(at, cells.value, raw.typed === true);

    if (
      this.#errors > before ||
      date === null ||
      metric === null ||
      breakdown === undefined ||
      value === null
    ) {
      return;
    }
    const key = this.#cells.key(date, metric.id, breakdown);
    const existing = this.#cells.rowOf(key);
    if (existing !== undefined) {
      this.#add('duplicate-row', at, 'metric', metric.id, {
        existing,
        metric: metric.id,
        breakdown: breakdown || 'none',
        date,
      });
      return;
    }
    this.#cells.add(key, at, value);
  }

  /** Applies the cross-row rules and returns the report, with the figures when accepted. */
  finish(): CheckedReturn {
    if (this.#errors === 0 && this.#rows === 0) {
      this.fileProblem(problem('no-rows', {}, {}));
    }
    if (this.#errors === 0) applyRules(this.#op, this.#cells, this.#add);
    let figures = this.#errors === 0 ? figuresOf(this.#op, this.#cells, this.#rows) : null;
    if (figures && !exactFigures(this.#op, figures, this.#add)) figures = null;
    if (figures) warnDecreases(this.#op, figures, this.#previous, this.#add);
    const report: Report = {
      verdict: this.#errors === 0 ? 'accepted' : 'rejected',
      counts: {
        rows: this.#rows,
        errors: this.#errors,
        warnings: this.#warnings,
        byCode: { ...this.#byCode },
      },
      problems: [...this.#problems.filter(isFileLevel), ...this.#problems.filter((q) => !isFileLevel(q))],
      problemsOmitted: this.#omitted,
    };
    return { report, figures };
  }
}
