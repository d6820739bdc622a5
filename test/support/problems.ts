import { expect } from 'vitest';
import type { Report } from '../../shared/domain/check-return.ts';
import type { Problem, ProblemCode } from '../../shared/domain/problems.ts';

/** Where a problem is expected: the spreadsheet row (header = 1) and the column, or null. */
export type ExpectedPlace = { row?: number | null; column?: string | null; value?: string | null };

/**
 * Asserts that the report lists exactly one problem with `code`, at the expected place, with a
 * message and a hint an agency can act on; returns it for further assertions.
 */
export function theProblem(report: Report, code: ProblemCode, place: ExpectedPlace = {}): Problem {
  const found = report.problems.filter((p) => p.code === code);
  expect(found, `problems with code ${code} in ${JSON.stringify(report.problems, null, 1)}`).toHaveLength(1);
  const p = found[0]!;
  if (place.row !== undefined) expect(p.row, 'row').toBe(place.row);
  if (place.column !== undefined) expect(p.column, 'column').toBe(place.column);
  if (place.value !== undefined) expect(p.value, 'value').toBe(place.value);
  expect(p.message.trim().length, 'message').toBeGreaterThan(10);
  expect(p.hint.trim().length, 'hint').toBeGreaterThan(10);
  expect(p.hint, 'hint differs from message').not.toBe(p.message);
  return p;
}

/** The codes of the listed problems, in report order. */
export function codesOf(report: Report): ProblemCode[] {
  return report.problems.map((p) => p.code);
}
