import type {
  SubmissionStatus,
  SubmissionView,
  UploadReceipt,
  UploadStatus,
} from '../shared/api/responses.ts';
import { API } from '../shared/api/routes.ts';
import type { Locale } from '../shared/i18n/locale.ts';
import { renderMessage } from '../shared/i18n/render.ts';
import { msg } from '../shared/i18n/text.ts';
import type { ApiClient } from './api-client.ts';
import { connect, type GlobalOptions, note, type Outcome } from './context.ts';
import { CliError, EXIT, type ExitCode } from './errors.ts';
import { loadCliLocale, say } from './lang.ts';
import { humanSize } from './progress.ts';
import { localFile, sendThroughSlot } from './slot-upload.ts';

export type UploadOptions = { operation: string; country?: string; wait: boolean; timeout: number };

/**
 * `optally upload`: takes a slot, streams the file there, then (unless --no-wait) waits for the
 * verdict and prints the receipt and the report. Exit 0 when the file counts (or counted until a
 * later upload replaced it), 1 when it was rejected, 2 otherwise.
 */
export async function upload(
  path: string,
  opts: UploadOptions,
  globals: GlobalOptions & { lang?: string },
): Promise<Outcome> {
  // The server renders the report in it, with the operation's translated texts.
  const lang = await loadCliLocale(globals.lang);
  const file = await localFile(path);
  const client = await connect(globals, opts.country);
  const { slot, sent } = await sendThroughSlot(client, opts.operation, file, {
    country: opts.country,
    dryRun: false,
  });
  const sentLine = say('cli.upload.sent', {
    file: file.name,
    id: slot.uploadId,
    country: slot.country,
    size: humanSize(sent.bytes),
    sha256: sent.sha256,
  });
  const base = {
    operation: opts.operation,
    country: slot.country,
    uploadId: slot.uploadId,
    fileName: file.name,
    size: sent.bytes,
    sha256: sent.sha256,
  };
  if (!opts.wait) {
    const later = `optally status --operation ${opts.operation} --country ${slot.country}`;
    return {
      exitCode: EXIT.accepted,
      text: `${sentLine}\n${say('cli.upload.not-waiting', { command: later })}\n`,
      json: { ...base, status: 'uploaded', receipt: slot.receipt },
    };
  }
  note(say('cli.upload.waiting', { id: slot.uploadId, seconds: opts.timeout }));
  const { receipt, submission } = await waitForVerdict(
    client,
    { op: opts.operation, uploadId: slot.uploadId },
    opts,
  );
  // A file that failed processing may have no recorded hash; any recorded one must be ours.
  if (receipt.sha256 !== null && (receipt.sha256 !== sent.sha256 || receipt.size !== sent.bytes)) {
    throw new CliError(
      msg('cli.upload.bytes-differ', {
        theirSha256: receipt.sha256,
        theirBytes: String(receipt.size),
        sha256: sent.sha256,
        bytes: String(sent.bytes),
      }),
    );
  }
  const sha256Matches = receipt.sha256 !== null;
  const exitCode = exitCodeOf(submission.status);
  const receiptLine = [
    renderMessage(
      'cli.upload.receipt',
      { id: slot.uploadId, bytes: String(sent.bytes), receivedAt: receipt.receivedAt },
      lang,
    ),
    renderMessage(
      sha256Matches ? 'cli.upload.sha256-matches' : 'cli.upload.sha256-unrecorded',
      { sha256: sent.sha256 },
      lang,
    ),
  ].join('\n');
  // The JSON keeps the English note (machines read it); the text is in the chosen language.
  const notes = followUp(submission.status, submission.failure, 'en');
  const submissionParams = { op: opts.operation, id: submission.id };
  if (globals.json) {
    const { report } = await client.call(API.getSubmission, { params: submissionParams, query: { lang } });
    const json = {
      ...base,
      submissionId: submission.id,
      receivedAt: receipt.receivedAt,
      sha256Matches,
    };
    return { exitCode, text: '', json: { ...json, status: submission.status, note: notes, report } };
  }
  const report = await client.text(API.getSubmission, {
    params: submissionParams,
    query: { format: 'text', lang },
    accept: 'text/plain',
  });
  return {
    exitCode,
    text: [
      receiptLine,
      '',
      report.trimEnd(),
      ...(notes ? ['', followUp(submission.status, submission.failure, lang)] : []),
    ].join('\n'),
    json: null,
  };
}

/** Polls the upload's receipt, backing off, until it has a verdict or the time is up. */
async function waitForVerdict(
  client: ApiClient,
  params: { op: string; uploadId: string },
  opts: UploadOptions,
): Promise<{ receipt: UploadReceipt; submission: SubmissionView }> {
  const deadline = Date.now() + opts.timeout * 1000;
  let delay = 200;
  let last: UploadStatus | null = null;
  while (Date.now() < deadline) {
    last = await client.call(API.getUpload, { params });
    if (last.receipt && last.submission && last.submission.status !== 'processing') {
      return { receipt: last.receipt, submission: last.submission };
    }
    await new Promise((ok) => setTimeout(ok, Math.min(delay, Math.max(deadline - Date.now(), 0))));
    delay = Math.min(delay * 1.5, 3000);
  }
  throw new CliError(
    msg('cli.upload.no-verdict', {
      seconds: opts.timeout,
      where: last?.receipt ? 'received' : 'waiting',
      op: opts.operation,
    }),
    EXIT.failure,
    'timeout',
  );
}

function exitCodeOf(status: SubmissionStatus): ExitCode {
  if (status === 'accepted' || status === 'superseded') return EXIT.accepted;
  return status === 'rejected' ? EXIT.rejected : EXIT.failure;
}

function followUp(status: SubmissionStatus, failure: string | null, locale: Locale): string | null {
  if (status === 'superseded') return renderMessage('cli.upload.superseded', {}, locale);
  if (status === 'failed')
    return failure
      ? renderMessage('cli.upload.failed-reason', { failure }, locale)
      : renderMessage('cli.upload.failed', {}, locale);
  return null;
}
