import { type Operation, windowDates } from './operation.ts';

/**
 * The distinct (date, metric, breakdown) cells of a national return, each held under one number:
 * its place in the operation's grid of window dates × metrics × breakdowns. Numeric keys order as
 * the texts `date|metric|breakdown` sort (so figures come out in the same order as before), need
 * no string building per row, and a million cells take tens of megabytes instead of hundreds.
 *
 * Only valid coordinates may be given: a window date, a metric of the operation, '' (the day's
 * total) or one of the operation's canonical `dimension=value` breakdowns.
 */
export class ReturnCells {
  readonly #dates: string[];
  readonly #dateRank: Map<string, number>;
  readonly #metrics: string[];
  readonly #metricRank: Map<string, number>;
  /** Every breakdown of any metric, '' (the total) first, in text order. */
  readonly #breakdowns: string[];
  readonly #breakdownRank: Map<string, number>;
  /** breakdown rank → its dimension's rank (the total's is 0). */
  readonly #dimensionOf: number[];
  readonly #dimensions: string[];
  /**
   * key → slot + 1 (0: no such cell): a flat array when the grid is small enough (one memory
   * access per row, no hashing), else a Map. Slots number the cells in the order they came.
   */
  readonly #index: Int32Array | Map<number, number>;
  readonly #keys = new NumberColumn();
  readonly #rows = new NumberColumn();
  readonly #values = new NumberColumn();

  constructor(op: Pick<Operation, 'window' | 'metrics'>) {
    this.#dates = windowDates(op);
    this.#dateRank = new Map(this.#dates.map((d, i) => [d, i]));
    // "a|…" sorts after "a_b|…": ranking ids with the separator keeps the texts' order.
    this.#metrics = op.metrics.map((m) => m.id).sort((a, b) => compare(`${a}|`, `${b}|`));
    this.#metricRank = new Map(this.#metrics.map((m, i) => [m, i]));
    const breakdowns = new Set<string>();
    for (const m of op.metrics) {
      for (const b of m.breakdowns) for (const v of b.values) breakdowns.add(`${b.dimension}=${v}`);
    }
    this.#breakdowns = ['', ...[...breakdowns].sort(compare)];
    this.#breakdownRank = new Map(this.#breakdowns.map((b, i) => [b, i]));
    this.#dimensions = ['', ...new Set(this.#breakdowns.slice(1).map((b) => b.split('=')[0] ?? ''))];
    const dimensionRank = new Map(this.#dimensions.map((d, i) => [d, i]));
    this.#dimensionOf = this.#breakdowns.map((b) => dimensionRank.get(b.split('=')[0] ?? '') ?? 0);
    const grid = this.#dates.length * this.#metrics.length * this.#breakdowns.length;
    this.#index = grid <= DENSE_GRID ? new Int32Array(grid) : new Map();
  }

  /** True when `date` is one of the operation window's dates, written YYYY-MM-DD. */
  isWindowDate(date: string): boolean {
    return this.#dateRank.has(date);
  }

  /** The key of a cell, or -1 (a key no cell has) when the operation has no such cell. */
  key(date: string, metric: string, breakdown: string): number {
    const d = this.#dateRank.get(date);
    const m = this.#metricRank.get(metric);
    const b = this.#breakdownRank.get(breakdown);
    if (d === undefined || m === undefined || b === undefined) return -1;
    return (d * this.#metrics.length + m) * this.#breakdowns.length + b;
  }

  get size(): number {
    return this.#keys.length;
  }

  /** The cell's slot, or -1 when the return has no such cell (yet). */
  #slot(key: number): number {
    if (key < 0) return -1;
    const index = this.#index;
    return (index instanceof Int32Array ? (index[key] ?? 0) : (index.get(key) ?? 0)) - 1;
  }

  /** The row a cell was given in, or undefined when the return has no such cell yet. */
  rowOf(key: number): number | undefined {
    const slot = this.#slot(key);
    return slot < 0 ? undefined : this.#rows.at(slot);
  }

  /** The value of a cell the return has (see `rowOf`). */
  valueOf(key: number): number {
    const slot = this.#slot(key);
    return slot < 0 ? Number.NaN : this.#values.at(slot);
  }

  /** Adds a cell the return does not have yet. */
  add(key: number, row: number, value: number): void {
    const slot = this.#keys.length;
    if (this.#index instanceof Int32Array) this.#index[key] = slot + 1;
    else this.#index.set(key, slot + 1);
    this.#keys.push(key);
    this.#rows.push(row);
    this.#values.push(value);
  }

  /** Calls `fn` for every cell, in the order they were added (file order). */
  forEach(fn: (key: number, row: number, value: number) => void): void {
    for (let slot = 0; slot < this.#keys.length; slot++) {
      fn(this.#keys.at(slot), this.#rows.at(slot), this.#values.at(slot));
    }
  }

  /** Calls `fn` for every cell, in the order of the cells' `date|metric|breakdown` texts. */
  forEachSorted(fn: (key: number, row: number, value: number) => void): void {
    const keys = this.#keys;
    let sorted = true;
    let max = 0;
    for (let slot = 0; slot < keys.length; slot++) {
      const key = keys.at(slot);
      if (key < max) sorted = false;
      else max = key;
    }
    if (sorted) {
      this.forEach(fn);
      return;
    }
    const index = this.#index;
    if (index instanceof Int32Array) {
      // The flat index is in key order already.
      for (let key = 0; key < index.length; key++) {
        const slot = (index[key] ?? 0) - 1;
        if (slot >= 0) fn(key, this.#rows.at(slot), this.#values.at(slot));
      }
      return;
    }
    if (keys.length <= SLOTS && max < 2 ** 53 / SLOTS) {
      // Key and slot packed in one double: a numeric typed-array sort, no comparator calls.
      const packed = new Float64Array(keys.length);
      for (let slot = 0; slot < keys.length; slot++) packed[slot] = keys.at(slot) * SLOTS + slot;
      packed.sort();
      for (const p of packed) {
        const slot = p % SLOTS;
        fn(keys.at(slot), this.#rows.at(slot), this.#values.at(slot));
      }
      return;
    }
    const order = Array.from({ length: keys.length }, (_, slot) => slot).sort(
      (a, b) => keys.at(a) - keys.at(b),
    );
    for (const slot of order) fn(keys.at(slot), this.#rows.at(slot), this.#values.at(slot));
  }

  date(key: number): string {
    return this.#dates[Math.floor(key / this.#breakdowns.length / this.#metrics.length)] ?? '';
  }

  metric(key: number): string {
    return this.#metrics[Math.floor(key / this.#breakdowns.length) % this.#metrics.length] ?? '';
  }

  /** The cell's breakdown, '' for a day total. */
  breakdown(key: number): string {
    return this.#breakdowns[key % this.#breakdowns.length] ?? '';
  }

  /** The key of the day total of a cell's date and metric. */
  totalOf(key: number): number {
    return key - (key % this.#breakdowns.length);
  }

  /** One number per (date, metric, breakdown dimension): the breakdown rows that add up together. */
  groupOf(key: number): number {
    const b = key % this.#breakdowns.length;
    return ((key - b) / this.#breakdowns.length) * this.#dimensions.length + (this.#dimensionOf[b] ?? 0);
  }

  /** The dimension of a cell's breakdown ('' for a day total). */
  dimension(key: number): string {
    return this.#dimensions[this.#dimensionOf[key % this.#breakdowns.length] ?? 0] ?? '';
  }
}

/** How many cells the packed sort of `forEachSorted` takes (more use a slower sort). */
const SLOTS = 2 ** 22;

/** Grids up to this many cells (16 MB of index) are indexed by a flat array, larger ones by a Map. */
const DENSE_GRID = 2 ** 22;

/**
 * A growable list of numbers kept in fixed-size chunks: growing copies nothing and leaves no
 * garbage behind, which keeps the peak memory of a million-cell return down.
 */
class NumberColumn {
  readonly #chunks: Float64Array[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(n: number): void {
    const chunk = this.#length >>> CHUNK_BITS;
    if (chunk === this.#chunks.length) this.#chunks.push(new Float64Array(1 << CHUNK_BITS));
    this.#chunks[chunk]![this.#length & CHUNK_MASK] = n;
    this.#length++;
  }

  at(i: number): number {
    return this.#chunks[i >>> CHUNK_BITS]?.[i & CHUNK_MASK] ?? Number.NaN;
  }
}

const CHUNK_BITS = 14;
const CHUNK_MASK = (1 << CHUNK_BITS) - 1;

/** The order of Array.prototype.sort without a comparator (UTF-16 code units). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
