import { type Problem, type ProblemId, type ProblemParams, problem } from '../problems.ts';

/** A file that is not a workbook this reader handles (`unsupported-format`), for the reason `id` names. */
export function unsupported<I extends ProblemId & `unsupported-format.${string}`>(
  id: I,
  params: ProblemParams<I>,
): Problem {
  return problem(id, {}, params);
}

/** An archive that expands too far, or further than it declares (`zip-bomb`). */
export function zipBomb<I extends ProblemId & `zip-bomb.${string}`>(
  id: I,
  params: ProblemParams<I>,
): Problem {
  return problem(id, {}, params);
}

/** A workbook with macros, or saved as macro-enabled (`macro-workbook`). */
export function macroWorkbook(id: 'macro-workbook' | 'macro-workbook.macro-enabled'): Problem {
  return problem(id, {}, {});
}
