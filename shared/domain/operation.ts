import type { z } from 'zod';
import type { operationSchema } from './operation-schema.ts';

/**
 * The operation model. The zod schema that checks definition files lives in
 * operation-schema.ts and is imported here for its types only, so the Lambdas (which read
 * definitions already checked at load) do not bundle zod.
 */

/** The UN M49 top-level regions participants are grouped by. */
export const REGIONS = ['Africa', 'Americas', 'Asia', 'Europe', 'Oceania'] as const;
export type Region = (typeof REGIONS)[number];

/** A checked operation definition. */
export type Operation = z.infer<typeof operationSchema>;
export type Metric = Operation['metrics'][number];
export type Rule = Operation['rules'][number];
export type Participant = Operation['participants'][number];

/** The lifecycle of an operation: uploads count only while it is `open`. */
export const OPERATION_STATUSES = ['draft', 'open', 'closed', 'final'] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];

/** Every date of the operation window, in order (calendar dates, no time zone involved). */
export function windowDates(op: Pick<Operation, 'window'>): string[] {
  const dates: string[] = [];
  const end = Date.parse(`${op.window.end}T00:00:00Z`);
  for (let t = Date.parse(`${op.window.start}T00:00:00Z`); t <= end; t += 86_400_000) {
    dates.push(new Date(t).toISOString().slice(0, 10));
  }
  return dates;
}

/**
 * The largest figure a country may report for a metric — a value, and its total (or a breakdown's)
 * over the window: ⌊(2^53 − 1) / participants⌋. A global figure adds up one figure per
 * participant, so it then stays an exact integer (a double holds integers exactly only up to
 * 2^53 − 1), and each file is checked on its own, the same way every time. For Liberterra III's
 * 119 participants: 75,690,750,039,840.
 */
export function maxCountryFigure(op: Pick<Operation, 'participants'>): number {
  return Math.floor(Number.MAX_SAFE_INTEGER / Math.max(1, op.participants.length));
}

/** The region of a participant, or undefined when the country does not take part. */
export function regionOf(op: Operation, country: string): Region | undefined {
  return op.participants.find((p) => p.code === country)?.region;
}
