import type { Participant, RollupView } from './api-types.ts';
import { formatChange, formatDay } from './format.ts';

/**
 * What the dashboard shows, computed from a rollup: plain data in, plain data out, no DOM, so
 * every rule of the page (sorting, filtering, zero vs not reported, daily change) is unit-tested.
 */

/** Where a country stands: reported before the deadline, reported after it, or not at all. */
export type CountryStatus = 'on-time' | 'late' | 'missing';

/** One line of the country table. */
export type CountryRow = {
  code: string;
  name: string;
  region: string;
  status: CountryStatus;
  /** When its current figures were accepted; null when it has not reported. */
  acceptedAt: string | null;
  /** Per metric: null = not reported, 0 = reported zero. */
  figures: Record<string, number | null>;
};

/** The rows of the country table: every participant, reported or not, in participant order. */
export function countryRows(rollup: RollupView, participants: readonly Participant[]): CountryRow[] {
  const metricIds = rollup.metrics.map((m) => m.id);
  const known = new Map(participants.map((p) => [p.code, p]));
  // A country can be in the rollup without being in the definition we hold (e.g. a participant
  // added after the page loaded): show it anyway, with what the rollup says about it.
  const extra = Object.entries(rollup.countries)
    .filter(([code]) => !known.has(code))
    .map(([code, c]) => ({ code, name: c.name, region: c.region }));
  const missingOnly = rollup.progress.missing
    .filter((code) => !known.has(code) && !rollup.countries[code])
    .map((code) => ({ code, name: code, region: 'Unknown' }));
  return [...participants, ...extra, ...missingOnly].map((p) => {
    const reported = rollup.byCountry[p.code];
    const info = rollup.countries[p.code];
    const figures: Record<string, number | null> = {};
    for (const id of metricIds) figures[id] = reported?.[id] ?? null;
    return {
      code: p.code,
      name: info?.name ?? p.name,
      region: info?.region ?? p.region,
      status: !reported ? 'missing' : info?.late ? 'late' : 'on-time',
      acceptedAt: reported ? (info?.acceptedAt ?? null) : null,
      figures,
    };
  });
}

/** A column of the country table. */
export type SortKey = 'name' | 'region' | 'status' | 'updated' | `metric:${string}`;
export type SortDirection = 'ascending' | 'descending';
export type SortState = { key: SortKey; direction: SortDirection };

/** The table's first order: by country name, A to Z. */
export const DEFAULT_SORT: SortState = { key: 'name', direction: 'ascending' };

/**
 * The sort after activating a column header: the same column flips direction; a new column
 * starts with its natural direction (names A→Z; figures and times biggest/newest first).
 */
export function nextSort(current: SortState, key: SortKey): SortState {
  if (current.key === key) {
    return { key, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
  }
  const textual = key === 'name' || key === 'region' || key === 'status';
  return { key, direction: textual ? 'ascending' : 'descending' };
}

const STATUS_ORDER: Record<CountryStatus, number> = { 'on-time': 0, late: 1, missing: 2 };

/**
 * Sorts rows (a new array). Rows without a value ("not reported") always go last, whichever the
 * direction, and a reported 0 sorts as a number; ties are broken by country name, then code.
 */
export function sortRows(rows: readonly CountryRow[], sort: SortState): CountryRow[] {
  const sign = sort.direction === 'ascending' ? 1 : -1;
  const byName = (a: CountryRow, b: CountryRow) =>
    a.name.localeCompare(b.name) || a.code.localeCompare(b.code);
  const sortValue = (row: CountryRow): string | number | null => {
    if (sort.key === 'name') return row.name;
    if (sort.key === 'region') return row.region;
    if (sort.key === 'status') return STATUS_ORDER[row.status];
    if (sort.key === 'updated') return row.acceptedAt;
    return row.figures[sort.key.slice('metric:'.length)] ?? null;
  };
  return [...rows].sort((a, b) => {
    const va = sortValue(a);
    const vb = sortValue(b);
    if (va === null && vb === null) return byName(a, b);
    if (va === null) return 1;
    if (vb === null) return -1;
    const cmp =
      typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return cmp === 0 ? byName(a, b) : sign * cmp;
  });
}

/** The status filter: `reported` includes late reporters. */
export type StatusFilter = 'all' | 'reported' | 'late' | 'missing';
export type RowFilter = { region: string; status: StatusFilter };

/** Shows every row. */
export const NO_FILTER: RowFilter = { region: 'all', status: 'all' };

/** The rows matching a region (`all` for any) and a status filter, order kept. */
export function filterRows(rows: readonly CountryRow[], filter: RowFilter): CountryRow[] {
  return rows.filter((row) => {
    if (filter.region !== 'all' && row.region !== filter.region) return false;
    if (filter.status === 'reported') return row.status !== 'missing';
    if (filter.status === 'late' || filter.status === 'missing') return row.status === filter.status;
    return true;
  });
}

/** The last operation day for which any metric has a figure; null before the first report. */
export function latestDay(byDay: RollupView['byDay']): string | null {
  const days = Object.keys(byDay)
    .filter((d) => Object.values(byDay[d] ?? {}).some((v) => v !== null))
    .sort();
  return days.at(-1) ?? null;
}

/**
 * The latest day's change of one metric, on the last day with a figure for that metric. For a
 * flow (`sum`), that day's figure is what the day added to the total. For a gauge (`max`), it is
 * the difference from the previous day with a figure (or the day's figure when there is none
 * before). Null before the metric has any daily figure.
 */
export type DayChange = { date: string; change: number; kind: 'added' | 'delta' } | null;

export function dayChange(rollup: Pick<RollupView, 'byDay' | 'metrics'>, metricId: string): DayChange {
  const days = Object.keys(rollup.byDay)
    .filter((d) => (rollup.byDay[d]?.[metricId] ?? null) !== null)
    .sort();
  const date = days.at(-1);
  if (date === undefined) return null;
  const today = rollup.byDay[date]?.[metricId] ?? 0;
  const metric = rollup.metrics.find((m) => m.id === metricId);
  if (metric?.aggregation !== 'max') return { date, change: today, kind: 'added' };
  const before = days.at(-2);
  const previous = before === undefined ? 0 : (rollup.byDay[before]?.[metricId] ?? 0);
  return { date, change: today - previous, kind: 'delta' };
}

/**
 * The line under a headline figure: what its latest day changed (`+5 on 14 Nov`, `−20 vs day
 * before, 12 Nov`), or why there is nothing to say.
 */
export function describeChange(total: number | null, change: DayChange, locale?: string): string {
  if (total === null) return 'not reported';
  if (change === null) return 'no daily figures';
  const day = formatDay(change.date, locale);
  return change.kind === 'added'
    ? `${formatChange(change.change, 'added', locale)} on ${day}`
    : `${formatChange(change.change, 'delta', locale)} vs day before, ${day}`;
}

/** A metric over the operation's days: each day's figure, and (for flows) the running total. */
export type DaySeries = { days: string[]; daily: (number | null)[]; cumulative: (number | null)[] | null };

/**
 * The by-day series of a metric, days in calendar order. The running total is null before the
 * first day with a figure and carries over days without one; a gauge (`max`) has no running
 * total, as adding peaks up over days means nothing.
 */
export function daySeries(rollup: Pick<RollupView, 'byDay' | 'metrics'>, metricId: string): DaySeries {
  const days = Object.keys(rollup.byDay).sort();
  const daily = days.map((d) => rollup.byDay[d]?.[metricId] ?? null);
  const metric = rollup.metrics.find((m) => m.id === metricId);
  if (metric?.aggregation === 'max') return { days, daily, cumulative: null };
  let sum: number | null = null;
  const cumulative = daily.map((v) => {
    if (v !== null) sum = (sum ?? 0) + v;
    return sum;
  });
  return { days, daily, cumulative };
}

/** A metric by region, regions in the rollup's order. */
export function regionSeries(
  rollup: Pick<RollupView, 'byRegion'>,
  metricId: string,
): { regions: string[]; values: (number | null)[] } {
  const regions = Object.keys(rollup.byRegion);
  return { regions, values: regions.map((r) => rollup.byRegion[r]?.[metricId] ?? null) };
}

/** Country names for codes (the code itself when the name is unknown), sorted by name. */
export function countryNames(
  codes: readonly string[],
  participants: readonly Participant[],
  reported: RollupView['countries'] = {},
): { code: string; name: string }[] {
  const names = new Map(participants.map((p) => [p.code, p.name]));
  return codes
    .map((code) => ({ code, name: reported[code]?.name ?? names.get(code) ?? code }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
