import { randomBytes } from 'node:crypto';
import { ObjectStore, type OpenedObject } from '../../shared/adapters/objects.ts';

/**
 * An object store that behaves as a versioned S3 bucket, on the real local S3 API (which keeps one
 * version per key): every `putVersion` is kept under a key of its own, `open(key, versionId)`
 * reads that version, and `firstVersion` answers the first version stored at a key. The first
 * version is also stored under the key itself, so listings see the key as on S3.
 */
export class VersionedObjects extends ObjectStore {
  constructor(
    s3: ObjectStore['s3'],
    bucket: string,
    /** Version ids by key, oldest first: share it to give several stores one bucket history. */
    readonly versions = new Map<string, string[]>(),
  ) {
    super(s3, bucket);
  }

  /** Stores a new version of `key` and returns its version id. */
  async putVersion(key: string, body: string): Promise<string> {
    const versionId = randomBytes(8).toString('hex');
    await this.put(shadowKey(key, versionId), body);
    const versions = this.versions.get(key) ?? [];
    if (versions.length === 0) await this.put(key, body);
    versions.push(versionId);
    this.versions.set(key, versions);
    return versionId;
  }

  override async open(key: string, versionId?: string | null): Promise<OpenedObject> {
    if (!versionId) return super.open(key);
    const opened = await super.open(shadowKey(key, versionId));
    return { ...opened, versionId };
  }

  override async listVersions(prefix: string): Promise<{ key: string; versionId: string | null }[]> {
    return [...this.versions]
      .filter(([key]) => key.startsWith(prefix))
      .flatMap(([key, ids]) => ids.map((versionId) => ({ key, versionId })));
  }

  override async firstVersion(key: string): Promise<string | null> {
    return this.versions.get(key)?.[0] ?? null;
  }
}

function shadowKey(key: string, versionId: string): string {
  return `versions/${versionId}/${key}`;
}
