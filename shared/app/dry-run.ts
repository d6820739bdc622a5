import type { Repository } from '../adapters/repository.ts';
import type { CheckedReturn } from '../domain/check-return.ts';
import type { Operation } from '../domain/operation.ts';
import { formatOf, readReturn } from '../domain/read-return.ts';
import { err, ok, type Result } from '../domain/result.ts';
import { msg, type Refusal, refusal } from '../i18n/text.ts';

/**
 * A dry run: the same parser and checks as the ingest, compared with the figures that count for
 * the country now. It counts nothing and changes no figure.
 */
export async function dryRun(
  repo: Pick<Repository, 'getCountry'>,
  op: Operation,
  input: {
    country: string;
    fileName: string;
    format?: string | undefined;
    source: AsyncIterable<Uint8Array>;
  },
): Promise<Result<CheckedReturn, Refusal<'unsupported-format'>>> {
  const format = formatOf(input.format ? `file.${input.format}` : input.fileName);
  if (format === null) {
    return err(refusal('unsupported-format', msg('error.unsupported-format.dry-run')));
  }
  const previous = await repo.getCountry(op.id, input.country);
  return ok(
    await readReturn(input.source, format, {
      operation: op,
      country: input.country,
      previous: previous?.figures ?? null,
    }),
  );
}
