import { readFile } from 'node:fs/promises';
import { defineOperation } from '../shared/app/define-operation.ts';
import { OPERATION_STATUSES, type OperationStatus } from '../shared/domain/operation.ts';
import { parseOperation } from '../shared/domain/operation-schema.ts';
import { msg } from '../shared/i18n/text.ts';
import { type StorageOptions, stores } from './audit.ts';
import type { GlobalOptions, Outcome } from './context.ts';
import { CliError, EXIT } from './errors.ts';
import { say, sayText } from './lang.ts';

export type DefineOptions = Omit<StorageOptions, 'operation'> & { status: string };

/**
 * `optally define <file>`: checks an operation definition file against the schema and stores it
 * (DynamoDB, and the S3 archive `rebuild` starts from). A new operation starts in `--status`
 * (default draft); an existing one keeps its status — change it with POST /operations/{op}/status.
 */
export async function define(file: string, opts: DefineOptions, globals: GlobalOptions): Promise<Outcome> {
  if (!(OPERATION_STATUSES as readonly string[]).includes(opts.status)) {
    throw new CliError(msg('cli.define.bad-status', { statuses: OPERATION_STATUSES.join(', ') }));
  }
  let input: unknown;
  try {
    input = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new CliError(msg('cli.define.not-json', { file, reason: (e as Error).message }), EXIT.rejected);
  }
  const parsed = parseOperation(input);
  if (!parsed.ok) {
    return {
      exitCode: EXIT.rejected,
      // The schema's own words, in English, under a line in the CLI's language.
      text: [say('cli.define.invalid', { file }), ...parsed.error.map((p) => `  ${p}`)].join('\n'),
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
  return {
    exitCode: EXIT.accepted,
    // What changed is listed as the definition's diff writes it (field paths, in English).
    text: say('cli.define.stored', {
      name: op.name,
      id: op.id,
      outcome,
      version: record.definitionVersion,
      changes: outcome === 'changed' ? ` (${changes.join('; ')})` : '',
      participants: op.participants.length,
      metrics: op.metrics.length,
      start: op.window.start,
      end: op.window.end,
      status: record.status,
    }),
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
