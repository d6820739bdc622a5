import { parseIncomingKey } from '../shared/domain/uploads.ts';

/**
 * Guards of the local S3 API (s3rver) where its file store differs from S3 in ways that matter
 * to evidence: it stores an object as a file named after its key, and it keeps one version per
 * key. Real S3 needs neither guard (it takes any key, and the bucket is versioned there).
 */

/** What the guards answer instead of storing: an S3-style error. */
export class LocalS3RefusalError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly key: string,
  ) {
    super(message);
    this.name = 'LocalS3RefusalError';
  }
}

/**
 * The segment of `key` the file store cannot hold faithfully, or undefined: a `.` or `..` segment
 * would be resolved by the file system (`BR/../FR/x.csv` would overwrite `FR/x.csv`, and enough
 * `..` escape the data folder), and a segment over 255 bytes crashes the store.
 */
export function unstorableSegment(key: string): string | undefined {
  return key.split('/').find((s) => s === '.' || s === '..' || Buffer.byteLength(s) > 255);
}

/** True for the key of an upload slot, `incoming/{op}/{CC}/{uploadId}/{file}`: one file, ever. */
export function isUploadSlotKey(key: string): boolean {
  return (parseIncomingKey(key)?.uploadId ?? null) !== null;
}

const unstorable = (key: string): LocalS3RefusalError =>
  new LocalS3RefusalError(
    400,
    'InvalidArgument',
    'The local S3 API cannot store a key with a "." or ".." segment or a segment over 255 bytes.',
    key,
  );

const slotUsed = (key: string): LocalS3RefusalError =>
  new LocalS3RefusalError(
    409,
    'SlotAlreadyUsed',
    'slot-already-used: this upload slot already holds a file; ask for a new upload slot (POST /operations/{op}/uploads).',
    key,
  );

type KoaContext = { path: string; status: number; type: string; body: string };

/**
 * Koa middleware in front of s3rver's own: refuses a URL key the store cannot hold (400) before
 * anything runs, and answers the refusals of `guardStore` (raised once s3rver has read a POST
 * form's `key` field) as S3 would answer an error.
 */
export async function refuseUnstorableKeys(ctx: KoaContext, next: () => Promise<void>): Promise<void> {
  try {
    let path: string;
    try {
      path = decodeURIComponent(ctx.path);
    } catch {
      path = '..';
    }
    if (unstorableSegment(path) !== undefined) throw unstorable(path);
    await next();
  } catch (e) {
    if (!(e instanceof LocalS3RefusalError)) throw e;
    ctx.status = e.status;
    ctx.type = 'application/xml';
    ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${e.code}</Code><Message>${xml(e.message)}</Message><Key>${xml(e.key)}</Key></Error>`;
  }
}

/** The parts of s3rver's file store every write goes through. */
type S3rverObject = { bucket: string; key: string; content?: unknown };
type S3rverStore = {
  existsObject(bucket: string, key: string): Promise<boolean>;
  putObject(object: S3rverObject): Promise<unknown>;
  copyObject(
    srcBucket: string,
    srcKey: string,
    destBucket: string,
    destKey: string,
    ...rest: unknown[]
  ): Promise<unknown>;
};

/**
 * Wraps s3rver's store so that every write — PUT, POST form, multipart completion, copy — is
 * refused when its key cannot be stored faithfully, or when it is a second object at an upload
 * slot's key: the local store would overwrite the first file, the evidence. Refusals throw a
 * `LocalS3RefusalError` and store nothing.
 */
export function guardStore(store: S3rverStore): void {
  const put = store.putObject.bind(store);
  const copy = store.copyObject.bind(store);
  /** Slot keys being written now: a second write must not pass the existence check meanwhile. */
  const writing = new Set<string>();
  const guarded = async <T>(bucket: string, key: string, write: () => Promise<T>): Promise<T> => {
    if (unstorableSegment(key) !== undefined) throw unstorable(key);
    if (!isUploadSlotKey(key)) return write();
    const id = `${bucket}/${key}`;
    // Claimed before the asynchronous existence check, so two concurrent writes cannot both pass.
    if (writing.has(id)) throw slotUsed(key);
    writing.add(id);
    try {
      if (await store.existsObject(bucket, key)) throw slotUsed(key);
      return await write();
    } finally {
      writing.delete(id);
    }
  };
  store.putObject = (object) =>
    guarded(object.bucket, object.key, () => put(object)).catch((e: unknown) => {
      // A refused body is drained, so the client's upload ends and it reads the answer.
      if (e instanceof LocalS3RefusalError) drain(object.content);
      throw e;
    });
  store.copyObject = (srcBucket, srcKey, destBucket, destKey, ...rest) =>
    guarded(destBucket, destKey, () => copy(srcBucket, srcKey, destBucket, destKey, ...rest));
}

function drain(content: unknown): void {
  const stream = content as { resume?: () => void } | null | undefined;
  if (typeof stream?.resume === 'function') stream.resume();
}

function xml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );
}
