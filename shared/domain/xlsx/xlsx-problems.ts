import { type Problem, problem } from '../problems.ts';

/** The hint for most workbooks that cannot be read: save them again as a plain workbook. */
export const SAVE_AS_XLSX = 'In Excel: File → Save As → Excel Workbook (.xlsx), then upload that file.';

/** A file that is not a workbook this reader handles (`unsupported-format`). */
export function unsupported(message: string, hint = SAVE_AS_XLSX): Problem {
  return problem('unsupported-format', {}, message, hint);
}

/** An archive that expands too far, or further than it declares (`zip-bomb`). */
export function zipBomb(message: string): Problem {
  return problem(
    'zip-bomb',
    {},
    message,
    'Upload the return saved directly from Excel (File → Save As → Excel Workbook (.xlsx)), or as CSV UTF-8.',
  );
}

/** A workbook with macros, or saved as macro-enabled (`macro-workbook`). */
export function macroWorkbook(message: string): Problem {
  return problem(
    'macro-workbook',
    {},
    message,
    'Save it as a plain workbook: in Excel, File → Save As → Excel Workbook (.xlsx) (not .xlsm), then upload that file.',
  );
}
