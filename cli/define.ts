import { readFile } from 'node:fs/promises';
import { defineOperation } from '../shared/app/define-operation.ts';
import { OPERATION_STATUSES, type OperationStatus } from '../shared/domain/operation.ts';
import { parseOperation } from '../shared/domain/operation-schema.ts';
import { type StorageOptions, stores } from './audit.ts';
import type { GlobalOptions, Outcome } from './context.ts';
import { CliError, EXIT } from './errors.ts';
import { sayText } from './lang.ts';

export type DefineOptions = Omit<StorageOptions, 'operation'> & { status: string };

/**
 * `optally define <file>`: checks an operation definition file against the schema and stores it
 * (DynamoDB, and the S3 archive `rebuild` starts from). A new operation starts in `--status`
 * (default draft); an existing one keeps its status — change it with POST /operations/{op}/status.
 */
export async function define(file: string, opts: DefineOptions, globals: GlobalOptions): Promise<Outcome> {
  if (!(OPERATION_STATUSES as readonly string[]).includes(opts.status)) {
    throw new CliError(`--status must be one of ${OPERATION_STATUSES.join(', ')}.`);
  }
  let input: unknown;
  try {
    input = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new CliError(`${file} is not a readable JSON file: ${(e as Error).message}`, EXIT.rejected);
  }
  const parsed = parseOperation(input);
  if (!parsed.ok) {
    return {
      exitCode: EXIT.rejected,
      text: [`${file} is not a valid operation definition:`, ...parsed.error.map((p) => `  ${p}`)].join('\n'),
      json: { valid: false, problems: parsed.error },
    };
  }
  const op = parsed.value;
  const { repo, objects } = await stores({ ...opts, operation: op.id }, globals);
  const defined = await defineOperation({ repo, objects }, op, {
    by: 'optally define',
    initialStatus: opts.status as OperationStatus,
  });
  if (!defined.ok) {
    return {
      exitCode: EXIT.rejected,
      text: sayText(defined.error.text),
      json: {
        valid: true,
        stored: false,
        operation: op.id,
        refused: { code: defined.error.code, message: defined.error.message },
      },
    };
  }
  const { record, outcome, changes } = defined.value;
  const what =
    outcome === 'unchanged'
      ? 'unchanged'
      : `stored as definition version ${record.definitionVersion}${outcome === 'changed' ? ` (${changes.join('; ')})` : ''}`;
  return {
    exitCode: EXIT.accepted,
    text: `${op.name} (${op.id}) ${what}: ${op.participants.length} participants, ${op.metrics.length} metrics, window ${op.window.start} to ${op.window.end}; status ${record.status}.`,
    json: {
      valid: true,
      stored: true,
      operation: op.id,
      status: record.status,
      outcome,
      definitionVersion: record.definitionVersion,
      changes,
    },
  };
}
