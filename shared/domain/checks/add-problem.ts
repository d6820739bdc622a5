import type { ProblemId, ProblemParams } from '../problems.ts';

/**
 * How a check reports what it finds: a problem with message `id` at a row and column (null when it
 * is about the return as a whole), with the value found and the message's parameters. The checker
 * counts it and lists it in the report.
 */
export type AddProblem = <I extends ProblemId>(
  id: I,
  row: number | null,
  column: string | null,
  value: unknown,
  params: ProblemParams<I>,
) => void;
