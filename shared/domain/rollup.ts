import type { CountryFigures } from './checks/figures.ts';
import { type Operation, type OperationStatus, REGIONS, type Region, windowDates } from './operation.ts';
import { type RollupBreakdowns, rollupBreakdowns } from './rollup-breakdowns.ts';

export type { BreakdownFigures, BreakdownValues, RollupBreakdowns } from './rollup-breakdowns.ts';

/** A country's current figures: those of its latest accepted return, with where they come from. */
export type CountryState = {
  country: string;
  figures: Pick<CountryFigures, 'totals' | 'byDay' | 'byBreakdown'>;
  submissionId: string;
  /** Orders this country's uploads: the greatest accepted one is the country's figures. */
  orderKey: string;
  receivedAt: string;
  acceptedAt: string;
  /** When the country's first accepted return was accepted (processed). */
  firstAcceptedAt: string;
  /** When S3 received the earliest of the country's accepted returns: decides "on time". */
  firstReceivedAt: string;
  /** How many times the country's figures were replaced: the rollup's version adds these up. */
  rev: number;
};

/** null = nobody (or this country) reported the metric; 0 = reported zero. */
export type MetricValues = Record<string, number | null>;

/**
 * The live (or final) figures of an operation. The API serves it with the operation's status
 * added (`RollupView`): the status changes on its own, without changing any figure.
 */
export type Rollup = {
  operation: string;
  name: string;
  window: Operation['window'];
  reportingDeadline: string;
  /**
   * Grows with every change of any country's figures and of the definition; equal versions mean
   * equal rollups (see `rollupVersion`).
   */
  version: number;
  /** When the newest figures in this rollup were accepted (null before any). */
  updatedAt: string | null;
  progress: {
    expected: number;
    reported: number;
    percent: number;
    onTime: number;
    missing: string[];
    late: string[];
  };
  metrics: { id: string; label: string; unit: string; aggregation: 'sum' | 'max' }[];
  totals: MetricValues;
  byRegion: Record<string, MetricValues>;
  byCountry: Record<string, MetricValues>;
  byDay: Record<string, MetricValues>;
  /**
   * Each metric's breakdowns, globally, by region and by country (see `RollupBreakdowns`). Absent
   * from rollups stored before breakdowns were carried: the next version computed carries them.
   */
  breakdowns?: RollupBreakdowns;
  countries: Record<
    string,
    {
      name: string;
      region: Region;
      submissionId: string;
      acceptedAt: string;
      firstAcceptedAt: string;
      late: boolean;
    }
  >;
};

/** A rollup as the API serves it. */
export type RollupView = Rollup & { status: OperationStatus };

/**
 * The rollup of an operation: a pure function of its country states, so recomputing it can never
 * drift. Flows (`sum`) add up; for a gauge (`max`) a country's figure is its peak day and the
 * global figure the sum of country peaks (by day: the sum of that day's figures). Breakdowns
 * follow the same rule, each breakdown value on its own (`rollupBreakdowns`).
 */
export function rollup(op: Operation, states: readonly CountryState[], definitionVersion = 1): Rollup {
  const participants = new Map(op.participants.map((p) => [p.code, p]));
  const current = states
    .filter((s) => participants.has(s.country))
    .sort((a, b) => a.country.localeCompare(b.country));
  const metricIds = op.metrics.map((m) => m.id);
  const empty = (): MetricValues => Object.fromEntries(metricIds.map((m) => [m, null]));
  const at = (table: Record<string, MetricValues>, key: string): MetricValues => {
    const existing = table[key];
    if (existing) return existing;
    const created = empty();
    table[key] = created;
    return created;
  };
  const add = (into: MetricValues, metric: string, n: number | undefined) => {
    if (n === undefined) return;
    into[metric] = (into[metric] ?? 0) + n;
  };

  const totals = empty();
  const byRegion: Record<string, MetricValues> = Object.fromEntries(
    REGIONS.filter((r) => op.participants.some((p) => p.region === r)).map((r) => [r, empty()]),
  );
  const byDay: Record<string, MetricValues> = Object.fromEntries(windowDates(op).map((d) => [d, empty()]));
  const byCountry: Record<string, MetricValues> = {};
  const countries: Rollup['countries'] = {};

  for (const s of current) {
    const p = participants.get(s.country)!;
    const own = empty();
    for (const metric of metricIds) {
      const n = s.figures.totals[metric];
      if (n === undefined) continue;
      own[metric] = n;
      add(totals, metric, n);
      add(at(byRegion, p.region), metric, n);
    }
    for (const [date, values] of Object.entries(s.figures.byDay)) {
      const day = at(byDay, date);
      for (const metric of metricIds) add(day, metric, values[metric]);
    }
    byCountry[s.country] = own;
    // Instants, not texts: the deadline may carry an offset, and times may differ in precision.
    // Judged from when S3 received the file, so a retry or a redrive never makes a country late.
    const late = Date.parse(s.firstReceivedAt) > Date.parse(op.reportingDeadline);
    countries[s.country] = {
      name: p.name,
      region: p.region,
      submissionId: s.submissionId,
      acceptedAt: s.acceptedAt,
      firstAcceptedAt: s.firstAcceptedAt,
      late,
    };
  }

  const breakdowns = rollupBreakdowns(
    op.metrics,
    Object.keys(byRegion),
    current.map((s) => ({ ...s, region: participants.get(s.country)!.region })),
  );
  const reported = current.length;
  const late = current.filter((s) => countries[s.country]?.late).map((s) => s.country);
  return {
    operation: op.id,
    name: op.name,
    window: op.window,
    reportingDeadline: op.reportingDeadline,
    version: rollupVersion(definitionVersion, states),
    updatedAt: current.reduce<string | null>(
      (max, s) => (max === null || s.acceptedAt > max ? s.acceptedAt : max),
      null,
    ),
    progress: {
      expected: op.participants.length,
      reported,
      percent: Math.round((1000 * reported) / op.participants.length) / 10,
      onTime: reported - late.length,
      missing: op.participants
        .map((p) => p.code)
        .filter((c) => !byCountry[c])
        .sort(),
      late,
    },
    metrics: op.metrics.map(({ id, label, unit, aggregation }) => ({ id, label, unit, aggregation })),
    totals,
    byRegion,
    byCountry,
    byDay,
    breakdowns,
    countries,
  };
}

/** Country revisions a definition version leaves room for in `rollupVersion`. */
const REVISIONS_PER_DEFINITION = 1_000_000_000;

/**
 * The rollup's version: the definition version, then the sum of the revisions of every country
 * item — participants or not, so removing a participant never lowers it. Both parts only grow, so
 * the version only grows whatever the definition does; read as one number ordered definition
 * first (1 000 000 123 = definition 1, 123 revisions), a rollup computed with a newer definition
 * is newer than any computed with an older one. Refreshes store a rollup only over a smaller
 * version (a conditional write).
 */
export function rollupVersion(
  definitionVersion: number,
  states: readonly Pick<CountryState, 'rev'>[],
): number {
  const revisions = states.reduce((sum, s) => sum + s.rev, 0);
  if (revisions >= REVISIONS_PER_DEFINITION)
    throw new RangeError(`${revisions} revisions overflow the rollup version`);
  return definitionVersion * REVISIONS_PER_DEFINITION + revisions;
}

/** A rollup version read back as its parts: the definition version and the countries' revisions. */
export function versionParts(version: number): { definition: number; revisions: number } {
  return {
    definition: Math.floor(version / REVISIONS_PER_DEFINITION),
    revisions: version % REVISIONS_PER_DEFINITION,
  };
}
