import { readFile } from 'node:fs/promises';
import type { DryRunResult } from '../shared/api/responses.ts';
import { API } from '../shared/api/routes.ts';
import type { Operation } from '../shared/domain/operation.ts';
import { reportText } from '../shared/domain/report-text.ts';
import type { Locale } from '../shared/i18n/locale.ts';
import { renderMessage } from '../shared/i18n/render.ts';
import { connect, type GlobalOptions, type Outcome } from './context.ts';
import { EXIT } from './errors.ts';
import { loadCliLocale } from './lang.ts';
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
  globals: GlobalOptions & { lang?: string },
): Promise<Outcome> {
  const file = await localFile(path);
  const locale = await loadCliLocale(globals.lang);
  const client = await connect(globals, opts.country);
  const params = { op: opts.operation };
  // The definition's translations of the operation's name and metrics, for the report's sentences.
  const operation = client.call(API.getOperation, { params }).then(
    (o) => o.definition,
    () => undefined,
  );
  let result: DryRunResult;
  if (file.size <= INLINE_MAX_BYTES) {
    result = await client.call(API.validate, {
      params,
      query: { fileName: file.name, country: opts.country, lang: locale },
      body: { bytes: new Uint8Array(await readFile(file.path)), contentType: 'application/octet-stream' },
    });
  } else {
    const { slot } = await sendThroughSlot(client, opts.operation, file, {
      country: opts.country,
      dryRun: true,
    });
    result = await client.call(API.validate, {
      params,
      query: { uploadId: slot.uploadId, lang: locale },
    });
  }
  const exitCode = result.report.verdict === 'accepted' ? EXIT.accepted : EXIT.rejected;
  return {
    exitCode,
    text: validateText(result, { path, ...opts, fileName: file.name, definition: await operation }, locale),
    json: result,
  };
}

/**
 * What `optally validate` prints for a dry run's answer, in `locale` (loaded): the report, then
 * what happens next (the command that sends the file, when it would be accepted). Problems are
 * rendered here from their codes and parameters, the operation's texts as its definition
 * translates them when `definition` is given.
 */
export function validateText(
  result: Pick<DryRunResult, 'report'>,
  subject: {
    path: string;
    fileName: string;
    /** The operation's definition, when it could be read. */
    definition?: Operation | undefined;
  } & ValidateOptions,
  locale: Locale,
): string {
  const send = `optally upload ${subject.path} --operation ${subject.operation}${subject.country ? ` --country ${subject.country}` : ''}`;
  const after =
    result.report.verdict === 'accepted'
      ? renderMessage('cli.validate.accepted', { command: send }, locale)
      : renderMessage('cli.validate.rejected', {}, locale);
  const report = reportText(
    result.report,
    { fileName: subject.fileName, operation: subject.definition },
    locale,
  );
  return `${report.trimEnd()}\n\n${after}\n`;
}
