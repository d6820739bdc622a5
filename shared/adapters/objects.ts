import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { PresignedPost } from '@aws-sdk/s3-presigned-post';

/** An object opened for streaming. */
export type OpenedObject = {
  body: AsyncIterable<Uint8Array>;
  size: number | null;
  eTag: string | null;
  versionId: string | null;
  lastModified: Date | null;
  metadata: Record<string, string>;
};

/** All S3 access of optally, on one bucket. */
export class ObjectStore {
  constructor(
    readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  /** Opens an object as a byte stream (nothing is buffered). */
  async open(key: string, versionId?: string | null): Promise<OpenedObject> {
    const out = await this.s3.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: key, VersionId: versionId ?? undefined }),
    );
    if (!out.Body) throw new Error(`S3 returned no body for ${key}`);
    return {
      body: out.Body as AsyncIterable<Uint8Array>,
      size: out.ContentLength ?? null,
      eTag: out.ETag ?? null,
      versionId: out.VersionId ?? null,
      lastModified: out.LastModified ?? null,
      metadata: out.Metadata ?? {},
    };
  }

  /** Stores a JSON document (reports, aggregates). */
  async putJson(key: string, value: unknown): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: JSON.stringify(value),
        ContentType: 'application/json',
      }),
    );
  }

  /** Reads a JSON document, or null when there is none. */
  async getJson<T>(key: string): Promise<T | null> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return JSON.parse((await out.Body?.transformToString('utf-8')) ?? 'null') as T;
    } catch (e) {
      if (e instanceof NoSuchKey || (e as { name?: string }).name === 'NoSuchKey') return null;
      throw e;
    }
  }

  /**
   * A presigned POST for exactly one key, with a size range and an expiry: the agency's browser or
   * CLI uploads straight to S3, and S3 refuses any other key or a file outside the range.
   */
  async presignPost(
    key: string,
    maxBytes: number,
    expiresSeconds: number,
    fields: Record<string, string> = {},
  ): Promise<PresignedPost> {
    // Loaded on first use: only the API's slot route signs POSTs (a lazy chunk of the bundle).
    const { createPresignedPost } = await import('@aws-sdk/s3-presigned-post');
    return createPresignedPost(this.s3, {
      Bucket: this.bucket,
      Key: key,
      Conditions: [
        ['content-length-range', 1, maxBytes],
        ...Object.entries(fields).map(([k, v]) => ({ [k]: v })),
      ],
      Fields: fields,
      Expires: expiresSeconds,
    });
  }

  /** Every key under a prefix, with size and last-modified time (all pages). */
  async list(prefix: string): Promise<{ key: string; size: number; lastModified: Date | null }[]> {
    const out: { key: string; size: number; lastModified: Date | null }[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) {
        if (o.Key) out.push({ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? null });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  /**
   * Every version of every key under a prefix (all pages), or each key once with a null version
   * where the store keeps no versions (the local S3 API does not implement version listings).
   */
  async listVersions(prefix: string): Promise<{ key: string; versionId: string | null }[]> {
    const out: { key: string; versionId: string | null }[] = [];
    try {
      for await (const v of versionsUnder(this.s3, this.bucket, prefix)) out.push(v);
    } catch (e) {
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status !== 501 && status !== 400 && status !== 405) throw e;
      return (await this.list(prefix)).map((o) => ({ key: o.key, versionId: null }));
    }
    return out;
  }

  /**
   * The version id of the first object ever stored at `key`, or null when the bucket keeps no
   * versions. An upload slot takes one file: only that first version is the slot's file.
   */
  async firstVersion(key: string): Promise<string | null> {
    let first: string | null = null;
    // Versions of a key are listed newest first: the last one listed is the first stored.
    for await (const v of versionsUnder(this.s3, this.bucket, key))
      if (v.key === key && v.versionId) first = v.versionId;
    return first;
  }

  /**
   * Stores bytes under `key` with the given type and encoding; returns the object's ETag. For
   * immutable objects (rollup bodies): whoever writes a key writes the same bytes.
   */
  async putBytes(
    key: string,
    body: Uint8Array,
    options: { contentType: string; contentEncoding?: string; metadata?: Record<string, string> },
  ): Promise<{ eTag: string | null }> {
    const out = await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: options.contentType,
        ContentEncoding: options.contentEncoding,
        Metadata: options.metadata,
      }),
    );
    return { eTag: out.ETag ?? null };
  }

  /** An object's bytes as stored (no decoding), or null when there is none. */
  async getBytes(key: string): Promise<Uint8Array | null> {
    return (await this.getWithMetadata(key))?.bytes ?? null;
  }

  /**
   * An object's bytes as stored and its user metadata (`x-amz-meta-*`), or null when there is none.
   * A body cut short on the way (the connection reset after the headers: the SDK retries requests,
   * not the reading of their bodies; the local S3 server also cuts a read whose object is being
   * rewritten) is read again, up to three times in all.
   */
  async getWithMetadata(
    key: string,
  ): Promise<{ bytes: Uint8Array; metadata: Record<string, string> } | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        const bytes = await out.Body?.transformToByteArray();
        return bytes ? { bytes, metadata: out.Metadata ?? {} } : null;
      } catch (e) {
        if (e instanceof NoSuchKey || (e as { name?: string }).name === 'NoSuchKey') return null;
        if (attempt >= 3 || !cutShort(e)) throw e;
      }
    }
  }

  /** Stores bytes as they are (local tooling and tests put returns this way). */
  async put(key: string, body: string | Uint8Array, contentType?: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  /**
   * Stores an immutable, content-addressed object unless it is already there (one HEAD first):
   * the same bytes are never uploaded twice, and the versioned bucket gains no needless versions.
   * Returns whether it wrote. Two writers racing both write the same bytes, which is harmless.
   */
  async putOnce(
    key: string,
    body: string | Uint8Array,
    options: { contentType: string; contentDisposition?: string | null; metadata?: Record<string, string> },
  ): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return false;
    } catch (e) {
      if (!(e instanceof NotFound || (e as { name?: string }).name === 'NotFound')) throw e;
    }
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: options.contentType,
        ContentDisposition: options.contentDisposition ?? undefined,
        Metadata: options.metadata,
      }),
    );
    return true;
  }

  /**
   * A presigned GET for one key, valid `expiresSeconds`: whoever holds it downloads the object
   * straight from S3 without credentials, served with the given type and disposition.
   */
  async presignGet(
    key: string,
    expiresSeconds: number,
    response: { contentType?: string; contentDisposition?: string | null } = {},
  ): Promise<string> {
    // Loaded on first use: only large final exports are answered through a presigned GET.
    const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
    return getSignedUrl(
      this.s3,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ResponseContentType: response.contentType,
        ResponseContentDisposition: response.contentDisposition ?? undefined,
      }),
      { expiresIn: expiresSeconds },
    );
  }
}

/** The versions under a prefix, page by page (an unversioned object's version id is null). */
async function* versionsUnder(
  s3: S3Client,
  bucket: string,
  prefix: string,
): AsyncGenerator<{ key: string; versionId: string | null }> {
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: prefix,
        KeyMarker: keyMarker,
        VersionIdMarker: versionMarker,
      }),
    );
    for (const v of page.Versions ?? []) {
      if (v.Key) yield { key: v.Key, versionId: v.VersionId && v.VersionId !== 'null' ? v.VersionId : null };
    }
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker);
}

/** True for a read that broke off after it began: the connection reset or closed early. */
function cutShort(e: unknown): boolean {
  const { code, message } = e as { code?: unknown; message?: unknown };
  return code === 'ECONNRESET' || message === 'aborted' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}
