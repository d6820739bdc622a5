import type { Operation } from '../operation.ts';

/**
 * What a workbook may expand to before any of it is parsed. A national return is a few thousand
 * cells; these bounds are orders of magnitude above that and far below what exhausts a Lambda.
 */
export const XLSX_LIMITS = {
  /** Total uncompressed size of all entries, as the ZIP's central directory declares it. */
  maxUnzippedBytes: 50 * 1024 * 1024,
  /** An entry expanding more than this many times… */
  maxRatio: 100,
  /** …is a bomb once it is larger than this (small XML parts legitimately compress very well). */
  ratioCheckedAboveBytes: 1024 * 1024,
  /** Entries in the archive; Excel writes a dozen or two. */
  maxEntries: 10_000,
  /** Cells in the sheet read, whatever `maxRows` allows. */
  maxCells: 2_000_000,
} as const;

/** The most cells the sheet read may hold for `op`: ten per allowed row (a return has five columns), capped. */
export function maxCellsOf(op: Pick<Operation, 'limits'>): number {
  return Math.min(XLSX_LIMITS.maxCells, (op.limits.maxRows + 1) * 10);
}
