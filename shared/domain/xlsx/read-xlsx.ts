import type { CheckContext, ReturnChecker } from '../check-return.ts';
import { type Problem, problem } from '../problems.ts';
import { err, ok, type Result } from '../result.ts';
import { maxCellsOf } from './limits.ts';
import { preflight } from './preflight.ts';
import { readSheet } from './read-sheet.ts';

/**
 * Reads a national return from an Excel workbook (.xlsx) and feeds it to `checker` exactly as the
 * CSV reader does: the header row (the first non-empty row), then every non-empty row, numbered as
 * Excel shows them. Cells become text: whole numbers their digits, other numbers their decimal form
 * (so the checker rejects them), date cells YYYY-MM-DD. Formulas are never evaluated: a formula
 * cell is a `formula-not-allowed` error.
 *
 * The whole file is held in memory (a ZIP is read from its end), within the operation's file-size
 * limit. Before exceljs sees anything, the archive is checked from its central directory (size,
 * expansion ratio, entry count, macros) and every part handed on is inflated here, bounded by its
 * declared size, so a lying header cannot become a bomb. exceljs then reads only a rebuilt workbook
 * holding the chosen sheet, its strings and styles, row by row.
 *
 * Never throws for bad input: every problem ends up in the checker.
 */
export async function readXlsx(
  source: AsyncIterable<Uint8Array>,
  checker: ReturnChecker,
  ctx: CheckContext,
): Promise<void> {
  const bytes = await readAll(source, ctx.operation.limits.maxFileBytes);
  if (!bytes.ok) {
    checker.fileProblem(bytes.error);
    return;
  }
  const workbook = await preflight(bytes.value, maxCellsOf(ctx.operation));
  if (!workbook.ok) {
    checker.fileProblem(workbook.error);
    return;
  }
  await readSheet(workbook.value, checker);
}

async function readAll(
  source: AsyncIterable<Uint8Array>,
  maxBytes: number,
): Promise<Result<Buffer, Problem>> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > maxBytes) {
      return err(problem('file-too-large', {}, { limit: maxBytes }));
    }
    chunks.push(chunk);
  }
  if (total === 0) {
    return err(problem('empty-file', {}, {}));
  }
  return ok(Buffer.concat(chunks, total));
}
