import type { Params } from '../../i18n/catalogues.generated.ts';
import type { ProblemId } from '../problems.ts';

/**
 * How a check reports what it finds: a problem with message `id` at a row and column (null when it
 * is about the return as a whole), with the value found and the message's parameters. The checker
 * counts it and lists it in the report.
 */
export type AddProblem = (
  id: ProblemId,
  row: number | null,
  column: string | null,
  value: unknown,
  params?: Params,
) => void;
