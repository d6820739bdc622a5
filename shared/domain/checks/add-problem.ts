import type { ProblemCode } from '../problems.ts';

/**
 * How a check reports what it finds: a problem of `code` at a row and column (null when it is about
 * the return as a whole), with the value found. The checker counts it and lists it in the report.
 */
export type AddProblem = (
  code: ProblemCode,
  row: number | null,
  column: string | null,
  value: unknown,
  message: string,
  hint: string,
) => void;
