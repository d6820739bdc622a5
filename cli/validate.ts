import { readFile } from 'node:fs/promises';
import type { DryRunResult } from '../shared/api/responses.ts';
import { API } from '../shared/api/routes.ts';
import { reportText } from '../shared/domain/report-text.ts';
import { connect, type GlobalOptions, type Outcome } from './context.ts';
import { EXIT } from './errors.ts';
import { localFile, sendThroughSlot } from './slot-upload.ts';

export type ValidateOptions = { operation: string; country?: string };

/** Files up to this size go in the request body; larger ones through a dry-run slot (API bodies stop at 10 MB). */
export const INLINE_MAX_BYTES = 5 * 1024 * 1024;

/**
 * `optally validate`: the same checks as an upload, as a dry run that stores and counts nothing.
 * Exit 0 when the file would be accepted, 1 when it would be rejected, 2 otherwise.
 */
export async function validate(
  path: string,
  opts: ValidateOptions,
  globals: GlobalOptions,
): Promise<Outcome> {
  const file = await localFile(path);
  const client = await connect(globals, opts.country);
  const params = { op: opts.operation };
  let result: DryRunResult;
  if (file.size <= INLINE_MAX_BYTES) {
    result = await client.call(API.validate, {
      params,
      query: { fileName: file.name, country: opts.country },
      body: { bytes: new Uint8Array(await readFile(file.path)), contentType: 'application/octet-stream' },
    });
  } else {
    const { slot } = await sendThroughSlot(client, opts.operation, file, {
      country: opts.country,
      dryRun: true,
    });
    result = await client.call(API.validate, { params, query: { uploadId: slot.uploadId } });
  }
  const exitCode = result.report.verdict === 'accepted' ? EXIT.accepted : EXIT.rejected;
  const send = `optally upload ${path} --operation ${opts.operation}${opts.country ? ` --country ${opts.country}` : ''}`;
  const after =
    exitCode === EXIT.accepted
      ? `Dry run: nothing was stored or counted yet. To send it: ${send}`
      : 'Dry run: nothing was stored or counted.';
  return {
    exitCode,
    text: `${reportText(result.report, { fileName: file.name }).trimEnd()}\n\n${after}\n`,
    json: result,
  };
}
