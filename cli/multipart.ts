import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { Readable } from 'node:stream';
import type { PresignedUpload } from '../shared/api/responses.ts';
import { msg } from '../shared/i18n/text.ts';
import { CliError, EXIT, StorageError } from './errors.ts';
import { request } from './network.ts';

/** A presigned S3 POST: where to send the form, and the fields that must precede the file. */
export type PresignedPost = Pick<PresignedUpload, 'url' | 'fields'>;

/** A file on disk to upload, under the name the form gives it. */
export type LocalFile = { path: string; name: string; size: number };

/** What was sent: the SHA-256 of the file's bytes (computed while streaming them) and their count. */
export type Sent = { sha256: string; bytes: number };

const TYPES: Record<string, string> = {
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/**
 * Sends a file from disk to a presigned S3 POST as `multipart/form-data`: the policy fields
 * first and the file last (S3 ignores anything after the file). The file is streamed, so memory
 * stays flat whatever its size, and hashed on the way; `onProgress` hears the bytes sent so far.
 * A refusal by S3 throws a `StorageError` with S3's code and message.
 */
export async function postFile(
  target: PresignedPost,
  file: LocalFile,
  onProgress: (sent: number) => void = () => undefined,
): Promise<Sent> {
  const boundary = `----optally-${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    [
      ...Object.entries(target.fields).map(
        ([name, value]) =>
          `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      ),
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quoted(file.name)}"\r\n`,
      `Content-Type: ${TYPES[extname(file.name).toLowerCase()] ?? 'application/octet-stream'}\r\n\r\n`,
    ].join(''),
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const url = new URL(target.url);
  const hash = createHash('sha256');
  let bytes = 0;
  async function* body(): AsyncGenerator<Buffer> {
    yield head;
    for await (const chunk of createReadStream(file.path)) {
      const b = chunk as Buffer;
      hash.update(b);
      bytes += b.length;
      onProgress(bytes);
      yield b;
    }
    yield tail;
  }
  let status: number;
  let text: string;
  try {
    const res = await request(url, {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + file.size + tail.length),
      },
      body: Readable.from(body()),
    });
    status = res.statusCode;
    text = await res.body.text();
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH') throw changedWhileSent(bytes, file.size, e);
    throw new CliError(
      msg('cli.error.storage-unreachable', { origin: url.origin, reason: code ?? String(e) }),
      EXIT.failure,
      'upload-failed',
      { cause: e },
    );
  }
  // S3 may answer (e.g. EntityTooLarge) before the whole body is sent: its answer is what counts.
  if (status < 200 || status >= 300) {
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? `HTTP${status}`;
    const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? (text.slice(0, 300) || 'no details');
    throw new StorageError(status, code, message);
  }
  if (bytes !== file.size) throw changedWhileSent(bytes, file.size, null);
  return { sha256: hash.digest('hex'), bytes };
}

function changedWhileSent(bytes: number, size: number, cause: unknown): CliError {
  return new CliError(
    msg('cli.error.file-changed', { sent: String(bytes), size: String(size) }),
    EXIT.failure,
    'upload-failed',
    { cause },
  );
}

function quoted(name: string): string {
  return name.replace(/[\r\n"]/g, (c) => encodeURIComponent(c));
}
