import { readFileSync } from 'node:fs';
import type { CheckContext, CheckedReturn } from '../../shared/domain/check-return.ts';
import type { CountryFigures } from '../../shared/domain/checks/figures.ts';
import type { Operation } from '../../shared/domain/operation.ts';
import { parseOperation } from '../../shared/domain/operation-schema.ts';
import { type ReturnFormat, readReturn } from '../../shared/domain/read-return.ts';
import type { CountryState } from '../../shared/domain/rollup.ts';

/** The shipped definition file, as JSON text: tests read the real thing, never a copy. */
export const LIBERTERRA_III_FILE = new URL('../../operations/liberterra-iii.json', import.meta.url);

/** Operation Liberterra III exactly as shipped (119 participants, 10–21 November 2025). */
export function liberterraIII(): Operation {
  return mustParse(JSON.parse(readFileSync(LIBERTERRA_III_FILE, 'utf8')));
}

/** A definition as an admin writes it, before any check: what `parseOperation` receives. */
export type OperationInput = {
  id?: unknown;
  name?: unknown;
  description?: unknown;
  window?: unknown;
  reportingDeadline?: unknown;
  participants?: unknown;
  metrics?: unknown;
  rules?: unknown;
  limits?: unknown;
  [key: string]: unknown;
};

/** Overrides for `anOperation`: `limits` is merged into the defaults, anything else replaces. */
export type OperationOverrides = Omit<OperationInput, 'limits'> & { limits?: Partial<Operation['limits']> };

/**
 * The raw definition of a small operation shaped like Liberterra III: three participants (BR in the
 * Americas, FR in Europe, KE in Africa), a three-day window (10–12 November 2025), a flow with a
 * breakdown, a gauge, and both kinds of rule. Plain data: tests may break it on purpose.
 */
export function anOperationDefinition(overrides: OperationOverrides = {}): OperationInput {
  const { limits, ...rest } = overrides;
  return {
    id: 'test-op',
    name: 'Operation Test',
    window: { start: '2025-11-10', end: '2025-11-12' },
    reportingDeadline: '2025-11-15T23:59:59Z',
    participants: [
      { code: 'BR', name: 'Brazil', region: 'Americas' },
      { code: 'FR', name: 'France', region: 'Europe' },
      { code: 'KE', name: 'Kenya', region: 'Africa' },
    ],
    metrics: [
      { id: 'arrests', label: 'Arrests', unit: 'persons', aggregation: 'sum' },
      {
        id: 'arrests_trafficking_smuggling',
        label: 'Arrests for trafficking',
        unit: 'persons',
        aggregation: 'sum',
      },
      {
        id: 'victims_safeguarded',
        label: 'Victims safeguarded',
        unit: 'persons',
        aggregation: 'sum',
        breakdowns: [
          { dimension: 'exploitation', values: ['sexual_exploitation', 'forced_labour', 'other'] },
        ],
      },
      { id: 'officers_deployed', label: 'Officers deployed', unit: 'officers', aggregation: 'max' },
    ],
    rules: [
      {
        kind: 'lte',
        id: 'trafficking-arrests-within-arrests',
        metric: 'arrests_trafficking_smuggling',
        bound: 'arrests',
      },
      {
        kind: 'breakdown-sum-lte-total',
        id: 'exploitation-within-victims',
        metric: 'victims_safeguarded',
        dimension: 'exploitation',
      },
    ],
    ...rest,
    ...(limits ? { limits } : {}),
  };
}

/** The small operation of `anOperationDefinition`, checked; throws if the overrides break it. */
export function anOperation(overrides: OperationOverrides = {}): Operation {
  return mustParse(anOperationDefinition(overrides));
}

function mustParse(input: unknown): Operation {
  const parsed = parseOperation(input);
  if (!parsed.ok) throw new Error(`test fixture is not a valid operation:\n${parsed.error.join('\n')}`);
  return parsed.value;
}

type ReturnRow = {
  date: string;
  metric: string;
  value: number | string;
  breakdown?: string;
  country?: string;
};

/** Formatting choices for `ReturnBuilder.csv`. */
export type CsvOptions = {
  /** Adds a country column with this value on every row. */
  country?: string;
  eol?: '\n' | '\r\n';
  bom?: boolean;
  /** Leaves the breakdown column out of the header and rows. */
  withoutBreakdown?: boolean;
};

/** Builds a national return's text, row by row, as CSV or JSON. */
export class ReturnBuilder {
  readonly #rows: ReturnRow[] = [];

  /** Adds a row; `value` is written as given (a string stays a string in JSON). */
  withRow(date: string, metric: string, value: number | string, breakdown?: string): this {
    this.#rows.push(breakdown === undefined ? { date, metric, value } : { date, metric, value, breakdown });
    return this;
  }

  /** The return as CSV text, header first. Cells that need quotes get them. */
  csv(options: CsvOptions = {}): string {
    const eol = options.eol ?? '\n';
    const columns = ['date', 'metric', ...(options.withoutBreakdown ? [] : ['breakdown']), 'value'];
    if (options.country !== undefined) columns.push('country');
    const lines = [columns.join(',')];
    for (const r of this.#rows) {
      const cells = [
        r.date,
        r.metric,
        ...(options.withoutBreakdown ? [] : [r.breakdown ?? '']),
        String(r.value),
      ];
      if (options.country !== undefined) cells.push(options.country);
      lines.push(cells.map(csvCell).join(','));
    }
    return `${options.bom ? '\uFEFF' : ''}${lines.join(eol)}${eol}`;
  }

  /** The return as the JSON document an agency uploads for `op` and `country`. */
  json(op: Pick<Operation, 'id'> | string, country: string): string {
    return JSON.stringify({
      operation: typeof op === 'string' ? op : op.id,
      country,
      rows: this.#rows,
    });
  }
}

/** Starts an empty return. */
export function aReturn(): ReturnBuilder {
  return new ReturnBuilder();
}

function csvCell(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

/**
 * The bytes of `input` as a stream of small chunks (default 5 bytes), so that record, quote and
 * multi-byte character boundaries fall between chunks.
 */
export async function* streamOf(input: string | Uint8Array, chunkSize = 5): AsyncGenerator<Uint8Array> {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  for (let i = 0; i < bytes.length; i += chunkSize) {
    yield bytes.slice(i, i + chunkSize);
  }
}

/** How `readText` reads a return: the check context, plus the chunk size of the stream. */
export type ReadOptions = Partial<CheckContext> & { chunkSize?: number };

/**
 * Reads a return from text or bytes as the ingest Lambda would (streamed, in small chunks). By
 * default it is BR's return to `anOperation()`.
 */
export function readText(
  input: string | Uint8Array,
  format: ReturnFormat,
  options: ReadOptions = {},
): Promise<CheckedReturn> {
  const { chunkSize, ...ctx } = options;
  return readReturn(streamOf(input, chunkSize), format, {
    operation: ctx.operation ?? anOperation(),
    country: ctx.country ?? 'BR',
    previous: ctx.previous ?? null,
  });
}

/** Reads a CSV return (see `readText`). */
export function readCsv(text: string | Uint8Array, options: ReadOptions = {}): Promise<CheckedReturn> {
  return readText(text, 'csv', options);
}

/** Reads a JSON return (see `readText`). */
export function readJson(text: string | Uint8Array, options: ReadOptions = {}): Promise<CheckedReturn> {
  return readText(text, 'json', options);
}

/** What a country reported, day by day: date → metric → value. */
export type Days = Record<string, Record<string, number>>;

/**
 * A country's current state as the repository holds it, with figures derived from `days` the way
 * the operation aggregates them (sum over days, or the peak day for a gauge).
 */
export function aCountryState(
  op: Operation,
  country: string,
  days: Days,
  overrides: Partial<Omit<CountryState, 'country' | 'figures'>> = {},
): CountryState {
  const totals: CountryFigures['totals'] = {};
  for (const values of Object.values(days)) {
    for (const [metric, n] of Object.entries(values)) {
      const kind = op.metrics.find((m) => m.id === metric)?.aggregation;
      const before = totals[metric];
      totals[metric] = before === undefined ? n : kind === 'max' ? Math.max(before, n) : before + n;
    }
  }
  return {
    country,
    figures: { totals, byDay: days, byBreakdown: {} },
    submissionId: `${country}-20251112T100000000Z-000000000000`,
    orderKey: `2025-11-12T10:00:00.000Z|incoming/${op.id}/${country}/u1/return.csv`,
    receivedAt: '2025-11-12T10:00:00.000Z',
    acceptedAt: '2025-11-12T10:00:01.000Z',
    firstAcceptedAt: '2025-11-12T10:00:01.000Z',
    firstReceivedAt: '2025-11-12T10:00:00.000Z',
    rev: 1,
    ...overrides,
  };
}
