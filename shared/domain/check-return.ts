import { type Metric, maxCountryFigure, type Operation } from './operation.ts';
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
]);
const isFileLevel = (p: Problem): boolean => FILE_LEVEL_CODES.has(p.code);

/** What a country's accepted return adds up to. Metrics the country did not report are absent. */
export type CountryFigures = {
  /** metric → the country's figure: the sum over days, or the peak day for a gauge. */
  totals: Record<string, number>;
  /** date → metric → that day's total. */
  byDay: Record<string, Record<string, number>>;
  /** metric → "dimension=value" → figure over the window (sum, or peak for a gauge). */
  byBreakdown: Record<string, Record<string, number>>;
  /** date → metric → "dimension=value" → that day's breakdown figure. */
  byDayBreakdown: Record<string, Record<string, Record<string, number>>>;
  rows: number;
};

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

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Checks a national return row by row, holding only the distinct (date, metric, breakdown) cells,
 * so memory follows the operation's size, not the file's. Call `header` (for tabular formats),
 * `row` for each data row, `fileProblem` for anything a parser finds, then `finish` once.
 */
export class ReturnChecker {
  readonly #op: Operation;
  readonly #country: string;
  readonly #previous: Pick<CountryFigures, 'totals'> | null;
  readonly #metrics: Map<string, Metric>;
  /** metric → its allowed "dimension=value" breakdowns. */
  readonly #breakdowns: Map<string, Set<string>>;
  readonly #cells: ReturnCells;
  /** The largest value or total a country may report (see `maxCountryFigure`). */
  readonly #maxFigure: number;
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
    this.#metrics = new Map(ctx.operation.metrics.map((m) => [m.id, m]));
    this.#cells = new ReturnCells(ctx.operation);
    this.#maxFigure = maxCountryFigure(ctx.operation);
    this.#breakdowns = new Map(
      ctx.operation.metrics.map((m) => [
        m.id,
        new Set(m.breakdowns.flatMap((b) => b.values.map((v) => `${b.dimension}=${v}`))),
      ]),
    );
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
          problem(
            'unknown-column',
            { row, column: `column ${i + 1}`, value: raw },
            `The header names a column "${truncate(raw, 40)}" that returns do not have.`,
            `Use exactly these column names: ${RETURN_COLUMNS.join(', ')} (breakdown and country may be left out).`,
          ),
        );
      } else if (seen.has(column)) {
        this.fileProblem(
          problem(
            'duplicate-column',
            { row, column, value: raw },
            `The column "${column}" appears twice in the header.`,
            'Delete one of the two columns.',
          ),
        );
      }
      if (column) seen.add(column);
      return column;
    });
    for (const required of REQUIRED_COLUMNS) {
      if (!seen.has(required)) {
        this.fileProblem(
          problem(
            'missing-column',
            { row, column: required },
            `The header has no "${required}" column.`,
            `Start the file with the header line: date,metric,breakdown,value`,
          ),
        );
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
    this.fileProblem(
      problem(
        'too-many-rows',
        { row },
        `The file has more than ${this.#op.limits.maxRows} rows (blank rows included); reading stopped here.`,
        'A return has one row per date, metric and breakdown; remove repeated, blank or unrelated rows.',
      ),
    );
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
        this.#add(
          'cell-too-long',
          at,
          column,
          v,
          `The ${column} cell is ${v.length} characters long.`,
          'Enter a short value: a date, a metric id, a breakdown or a number.',
        );
      } else {
        cells[column] = typeof v === 'string' ? v.trim() : v;
      }
    }
    if (this.#errors > before) return;

    const country = cells.country;
    if (country !== undefined && country !== null && String(country) !== '') {
      const cc = String(country);
      if (cc.toUpperCase() !== this.#country) {
        this.#add(
          'country-mismatch',
          at,
          'country',
          cc,
          `This row is for country "${truncate(cc, 20)}", but the file is uploaded for ${this.#country}.`,
          `Set the country column to ${this.#country}, or leave it empty; upload other countries' figures from their own accounts.`,
        );
      }
    }

    const date = this.#date(at, cells.date);
    const metric = this.#metric(at, cells.metric);
    const breakdown = metric ? this.#breakdown(at, metric, cells.breakdown) : undefined;
    const value = this.#value(at, cells.value, raw.typed === true);

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
      this.#add(
        'duplicate-row',
        at,
        'metric',
        metric.id,
        `Row ${existing} already gives ${metric.id}${breakdown ? ` (${breakdown})` : ''} for ${date}.`,
        `Keep one row per date, metric and breakdown: delete this row or row ${existing}.`,
      );
      return;
    }
    this.#cells.add(key, at, value);
  }

  /** Applies the cross-row rules and returns the report, with the figures when accepted. */
  finish(): CheckedReturn {
    if (this.#errors === 0 && this.#rows === 0) {
      this.fileProblem(
        problem(
          'no-rows',
          {},
          'The file has no data rows.',
          'Add one row per date and metric. To report zero, write rows with the value 0: an empty file is not a report of zero.',
        ),
      );
    }
    if (this.#errors === 0) this.#applyRules();
    let figures = this.#errors === 0 ? this.#figures() : null;
    if (figures && !this.#exact(figures)) figures = null;
    if (figures) this.#warnDecreases(figures);
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

  #add(
    code: ProblemCode,
    row: number | null,
    column: string | null,
    value: unknown,
    message: string,
    hint: string,
  ): void {
    this.fileProblem(problem(code, { row, column, value }, message, hint));
  }

  #date(row: number, v: unknown): string | null {
    const { start, end } = this.#op.window;
    if (typeof v !== 'string' || v === '') {
      this.#add(
        'bad-date',
        row,
        'date',
        v ?? '',
        'The date is missing or not text.',
        `Write the date as YYYY-MM-DD, e.g. ${start}.`,
      );
      return null;
    }
    // Most rows repeat a handful of dates: a window date needs no further check.
    if (this.#cells.isWindowDate(v)) return v;
    const m = DATE.exec(v);
    const valid =
      m !== null &&
      (() => {
        const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
        return d.toISOString().slice(0, 10) === v;
      })();
    if (!valid) {
      this.#add(
        'bad-date',
        row,
        'date',
        v,
        `"${truncate(v, 30)}" is not a date written YYYY-MM-DD.`,
        `Write the date as YYYY-MM-DD, e.g. ${start}; set the spreadsheet column to text if it reformats dates.`,
      );
      return null;
    }
    if (v < start || v > end) {
      this.#add(
        'date-outside-window',
        row,
        'date',
        v,
        `${v} is outside the operation window.`,
        `Dates must fall between ${start} and ${end}.`,
      );
      return null;
    }
    return v;
  }

  #metric(row: number, v: unknown): Metric | null {
    const id = typeof v === 'string' ? v : '';
    const metric = this.#metrics.get(id);
    if (metric) return metric;
    const near = closest(id, [...this.#metrics.keys()]);
    this.#add(
      'unknown-metric',
      row,
      'metric',
      v ?? '',
      id === '' ? 'The metric is missing.' : `"${truncate(id, 40)}" is not a metric of ${this.#op.name}.`,
      `${near ? `Did you mean "${near}"? ` : ''}Metrics: ${[...this.#metrics.keys()].join(', ')}.`,
    );
    return null;
  }

  /** The canonical "dimension=value" breakdown, '' for the metric's total, or undefined when invalid. */
  #breakdown(row: number, metric: Metric, v: unknown): string | undefined {
    // `row` trimmed the cell already.
    if (v === undefined || v === null || v === '') return '';
    const allowed = this.#breakdowns.get(metric.id) ?? new Set<string>();
    // Written exactly as the definition writes it (the usual case): nothing more to check.
    if (typeof v === 'string' && allowed.has(v)) return v;
    const hint = (): string => {
      if (allowed.size === 0) return `${metric.id} has no breakdowns: leave the breakdown cell empty.`;
      const listed = [...allowed].slice(0, 12).join(', ');
      return `Leave it empty for the total, or write one of: ${listed}${allowed.size > 12 ? ` … (${allowed.size} in all; see the template)` : ''}.`;
    };
    if (typeof v !== 'string' || !/^[^=]+=[^=]+$/.test(v.trim())) {
      this.#add(
        'bad-breakdown',
        row,
        'breakdown',
        v,
        `"${truncate(String(v), 40)}" is not written dimension=value.`,
        hint(),
      );
      return undefined;
    }
    const [dimension = '', value = ''] = v
      .trim()
      .split('=')
      .map((s) => s.trim());
    const canonical = `${dimension}=${value}`;
    if (!allowed.has(canonical)) {
      this.#add(
        'unknown-breakdown',
        row,
        'breakdown',
        v,
        `${metric.id} has no breakdown "${truncate(canonical, 40)}".`,
        hint(),
      );
      return undefined;
    }
    return canonical;
  }

  #value(row: number, v: unknown, typed: boolean): number | null {
    const bad = (message: string, hint: string): null => {
      this.#add('bad-value', row, 'value', v ?? '', message, hint);
      return null;
    };
    if (typeof v === 'number') {
      if (!Number.isInteger(v) || v < 0)
        return bad(`${v} is not a whole number of zero or more.`, 'Write a whole number such as 12.');
      return v <= this.#maxFigure ? v : this.#tooLarge(row, v);
    }
    if (typed && typeof v === 'string')
      return bad(
        `The value ${JSON.stringify(truncate(v, 30))} is text, not a number.`,
        `Write the value as a JSON number, without quotes: "value": ${/^\d+$/.test(v) ? v : 12}.`,
      );
    if (typeof v !== 'string')
      return bad(
        'The value is missing or not a number.',
        'Write a whole number such as 12; write 0 to report zero.',
      );
    if (v === '')
      return bad(
        'The value is empty.',
        'Write 0 to report zero; to report nothing for this date and metric, delete the row.',
      );
    if (/^\d+$/.test(v)) {
      const n = Number(v);
      return n <= this.#maxFigure ? n : this.#tooLarge(row, v);
    }
    if (/^[+-]\d/.test(v) && v.startsWith('-'))
      return bad(
        `${truncate(v, 30)} is negative.`,
        'Figures count people or cases: write 0 or more. To correct an earlier figure, upload the full return again with the right value.',
      );
    if (/^\d{1,3}([,.' ]\d{3})+$/.test(v))
      return bad(
        `${v} has thousands separators.`,
        `Write the number without separators: ${v.replace(/[,.' ]/g, '')}.`,
      );
    if (/^\d*\.\d+$/.test(v))
      return bad(`${v} is not a whole number.`, 'Figures are counts: write a whole number.');
    if (/^[+]?\d*\.?\d+e[+-]?\d+$/i.test(v))
      return bad(
        `${v} is written in exponent notation.`,
        'Write the number in full digits, e.g. 1000 rather than 1e3; set the spreadsheet cell format to Number.',
      );
    return bad(`"${truncate(v, 30)}" is not a number.`, 'Write a whole number such as 12, with digits only.');
  }

  #tooLarge(row: number, v: unknown): null {
    this.#add(
      'value-too-large',
      row,
      'value',
      v,
      'The value is too large to be a real count, or to be added up exactly in the global totals.',
      this.#limitHint(),
    );
    return null;
  }

  /** Why figures are capped, and the cap: for every value-too-large problem. */
  #limitHint(): string {
    const participants = this.#op.participants.length;
    return `Check the figure: in ${this.#op.name} a figure may be at most ${this.#maxFigure}, so that the ${participants} participants' figures add up to no more than ${Number.MAX_SAFE_INTEGER} (2^53 − 1), the largest count kept exactly.`;
  }

  #applyRules(): void {
    const cells = this.#cells;
    const dayTotal = (date: string, metric: string): { row: number; value: number } | undefined => {
      const key = cells.key(date, metric, '');
      const row = cells.rowOf(key);
      return row === undefined ? undefined : { row, value: cells.valueOf(key) };
    };
    // Every breakdown row needs its day's total. Sums per (date, metric, dimension), by group key.
    const breakdownSums = new Map<number, { key: number; sum: number; row: number }>();
    cells.forEach((key, row, value) => {
      if (cells.totalOf(key) === key) return;
      if (cells.rowOf(cells.totalOf(key)) === undefined) {
        const [date, metric, breakdown] = [cells.date(key), cells.metric(key), cells.breakdown(key)];
        this.#add(
          'breakdown-without-total',
          row,
          'breakdown',
          breakdown,
          `Row ${row} breaks down ${metric} for ${date}, but the file has no total of ${metric} for that day.`,
          `Add a row for ${date}, ${metric} with the breakdown cell empty and the day's total.`,
        );
      }
      const group = cells.groupOf(key);
      const s = breakdownSums.get(group);
      if (s) {
        s.sum += value;
        s.row = Math.max(s.row, row);
      } else breakdownSums.set(group, { key, sum: value, row });
    });
    for (const rule of this.#op.rules) {
      const severity = rule.severity;
      const code: ProblemCode = severity === 'error' ? 'rule-violation' : 'rule-warning';
      if (rule.kind === 'lte') {
        cells.forEach((key, row, value) => {
          if (cells.metric(key) !== rule.metric || cells.totalOf(key) !== key) return;
          const cell = { row, value };
          const date = cells.date(key);
          const bound = dayTotal(date, rule.bound);
          if (!bound) {
            this.#add(
              code,
              cell.row,
              'value',
              cell.value,
              `Rule ${rule.id}: ${rule.metric} on ${date} is ${cell.value}, but the file has no ${rule.bound} for that day.`,
              `${rule.metric} must not exceed ${rule.bound} on the same day: add the ${rule.bound} row for ${date}.`,
            );
          } else if (cell.value > bound.value) {
            this.#add(
              code,
              cell.row,
              'value',
              cell.value,
              `Rule ${rule.id}: ${rule.metric} on ${date} is ${cell.value}, more than ${rule.bound} (${bound.value}, row ${bound.row}).`,
              `${rule.metric} must not exceed ${rule.bound} on the same day: correct one of the two rows.`,
            );
          }
        });
      } else {
        for (const s of breakdownSums.values()) {
          const [date, metric, dimension] = [cells.date(s.key), cells.metric(s.key), cells.dimension(s.key)];
          if (metric !== rule.metric || dimension !== rule.dimension) continue;
          const total = dayTotal(date, metric);
          if (total && s.sum > total.value) {
            this.#add(
              code,
              s.row,
              'value',
              s.sum,
              `Rule ${rule.id}: the ${dimension} rows of ${metric} on ${date} add up to ${s.sum}, more than the day's total of ${total.value} (row ${total.row}).`,
              `The breakdown rows of a day must add up to no more than its total: correct the total or the breakdown rows.`,
            );
          }
        }
      }
    }
  }

  #figures(): CountryFigures {
    const figures: CountryFigures = {
      totals: {},
      byDay: {},
      byBreakdown: {},
      byDayBreakdown: {},
      rows: this.#rows,
    };
    const gauges = new Set(this.#op.metrics.filter((m) => m.aggregation === 'max').map((m) => m.id));
    const combine = (metric: string, a: number | undefined, b: number): number =>
      a === undefined ? b : gauges.has(metric) ? Math.max(a, b) : a + b;
    const cells = this.#cells;
    // The day's breakdowns of one metric come one after another: their object is looked up once.
    let dayBreakdowns: Record<string, number> = {};
    let dayBreakdownsOf = -1;
    // In the order of the cells' `date|metric|breakdown` texts, so the figures' keys are too.
    cells.forEachSorted((key, _row, value) => {
      const date = cells.date(key);
      const metric = cells.metric(key);
      const breakdown = cells.breakdown(key);
      if (breakdown === '') {
        figures.totals[metric] = combine(metric, figures.totals[metric], value);
        child(figures.byDay, date)[metric] = value;
      } else {
        const perMetric = child(figures.byBreakdown, metric);
        perMetric[breakdown] = combine(metric, perMetric[breakdown], value);
        if (dayBreakdownsOf !== cells.totalOf(key)) {
          dayBreakdownsOf = cells.totalOf(key);
          dayBreakdowns = child(child(figures.byDayBreakdown, date), metric);
        }
        dayBreakdowns[breakdown] = value;
      }
    });
    return figures;
  }

  /**
   * True when every total is within the operation's limit: values that each are may still add up
   * to one that is not (and a sum past 2^53 − 1 is no longer exact, but never back under the limit).
   */
  #exact(figures: CountryFigures): boolean {
    const before = this.#errors;
    const check = (metric: string, what: string, n: number): void => {
      if (n <= this.#maxFigure) return;
      this.#add(
        'value-too-large',
        null,
        'value',
        n,
        `The ${what} of ${metric} adds up to more than ${this.#maxFigure}: too large to be added up exactly in the global totals.`,
        this.#limitHint(),
      );
    };
    for (const [metric, n] of Object.entries(figures.totals)) check(metric, 'total', n);
    for (const [metric, parts] of Object.entries(figures.byBreakdown)) {
      for (const [breakdown, n] of Object.entries(parts)) check(metric, `${breakdown} total`, n);
    }
    return this.#errors === before;
  }

  #warnDecreases(figures: CountryFigures): void {
    if (!this.#previous) return;
    for (const [metric, before] of Object.entries(this.#previous.totals)) {
      const now = figures.totals[metric];
      if (now === undefined) {
        this.#add(
          'total-decreased',
          null,
          'metric',
          metric,
          `${metric} was ${before} in your previous accepted return and is not reported in this one.`,
          `A return replaces the previous one wholesale: include every row you reported before, or this figure no longer counts.`,
        );
      } else if (now < before && this.#metrics.get(metric)?.aggregation === 'sum') {
        this.#add(
          'total-decreased',
          null,
          'metric',
          metric,
          `${metric} totals ${now}, lower than ${before} in your previous accepted return.`,
          'Returns are cumulative: check that no day was left out. If the lower figure is a correction, nothing needs to change.',
        );
      }
    }
  }
}

/** The object at `key`, created empty when missing. */
export function child<T>(parent: Record<string, Record<string, T>>, key: string): Record<string, T> {
  let value = parent[key];
  if (value === undefined) {
    value = {};
    parent[key] = value;
  }
  return value;
}

/** The candidate nearest to `word` when it is a plausible typo (edit distance ≤ 3), else undefined. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(w, c);
    if (d <= 3 && (!best || d < best.d)) best = { c, d };
  }
  return best?.c;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        (prev[j] ?? 0) + 1,
        (cur[j - 1] ?? 0) + 1,
        (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length] ?? 99;
}
