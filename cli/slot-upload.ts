import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { UploadSlot } from '../shared/api/responses.ts';
import { API } from '../shared/api/routes.ts';
import { msg } from '../shared/i18n/text.ts';
import type { ApiClient } from './api-client.ts';
import { CliError, EXIT } from './errors.ts';
import { say } from './lang.ts';
import { type LocalFile, postFile, type Sent } from './multipart.ts';
import { humanSize, progress } from './progress.ts';

/** An upload slot as POST /operations/{op}/uploads answers it. */
export type Slot = UploadSlot;

/** A file on disk, or a `CliError` saying why it cannot be read. */
export async function localFile(path: string): Promise<LocalFile> {
  const full = resolve(path);
  try {
    const info = await stat(full);
    if (!info.isFile()) throw new CliError(msg('cli.file.not-a-file', { path }));
    return { path: full, name: basename(full), size: info.size };
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(
      msg('cli.file.unreadable', { path, reason: (e as { code?: string }).code ?? String(e) }),
      EXIT.failure,
      'no-file',
      { cause: e },
    );
  }
}

/**
 * Takes a slot for the file (named by its base name) and streams the file there. A file the
 * storage would refuse (empty, or above the operation's size limit) ends as a rejection (exit 1)
 * before anything is sent.
 */
export async function sendThroughSlot(
  client: ApiClient,
  operation: string,
  file: LocalFile,
  options: { country: string | undefined; dryRun: boolean },
): Promise<{ slot: Slot; sent: Sent }> {
  if (file.size === 0) {
    throw new CliError(msg('cli.file.empty', { file: file.name }), EXIT.rejected, 'empty-file');
  }
  const slot = await client.call(API.createUpload, {
    params: { op: operation },
    body: {
      fileName: file.name,
      ...(options.country ? { country: options.country } : {}),
      ...(options.dryRun ? { dryRun: true } : {}),
    },
  });
  if (file.size > slot.maxBytes) {
    throw new CliError(
      msg('cli.file.too-large', {
        file: file.name,
        size: humanSize(file.size),
        limit: humanSize(slot.maxBytes),
      }),
      EXIT.rejected,
      'file-too-large',
    );
  }
  const shown = progress(say('cli.progress.uploading', { file: file.name }), file.size);
  const sent = await postFile(slot.upload, file, shown.update);
  shown.done();
  return { slot, sent };
}
