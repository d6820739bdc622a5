import type { Params } from '../../i18n/catalogues.generated.ts';
import { type Problem, type ProblemId, problem } from '../problems.ts';

/** A file that is not a workbook this reader handles (`unsupported-format`), for the reason `id` names. */
export function unsupported(id: ProblemId & `unsupported-format.${string}`, params: Params = {}): Problem {
  return problem(id, {}, params);
}

/** An archive that expands too far, or further than it declares (`zip-bomb`). */
export function zipBomb(id: ProblemId & `zip-bomb.${string}`, params: Params): Problem {
  return problem(id, {}, params);
}

/** A workbook with macros, or saved as macro-enabled (`macro-workbook`). */
export function macroWorkbook(id: ProblemId & `macro-workbook${string}`): Problem {
  return problem(id, {});
}
