import type { PresignedPost } from '@aws-sdk/s3-presigned-post';
import type { ObjectStore } from '../adapters/objects.ts';
import type { Repository } from '../adapters/repository.ts';
import type { OperationRecord, UploadSlot } from '../domain/ledger.ts';
import { slotKey } from '../domain/object-keys.ts';
import { formatOf } from '../domain/read-return.ts';
import { err, ok, type Result } from '../domain/result.ts';
import { safeFileName, uploadIdOf } from '../domain/uploads.ts';
import { msg, type Refusal, refusal } from '../i18n/text.ts';

/** How long an upload slot's presigned POST stays valid. */
export const SLOT_SECONDS = 15 * 60;

/**
 * How long after its expiry a slot with no file is called abandoned. S3 takes a POST whose request
 * started before the expiry; a large file over a slow link may finish landing a while later, so a
 * slot is not called abandoned until no upload begun in time can still be arriving.
 */
export const ABANDONED_AFTER_EXPIRY_SECONDS = 60 * 60;

/**
 * Where a slot stands: `waiting` for its file (the slot may still be used, or its file is landing),
 * `received` (storage holds its file: see the receipt and verdict), or `abandoned` (it expired and
 * no file arrived: nothing was stored, nothing counts). Abandoned is final: the presigned POST can
 * no longer be used.
 */
export type SlotState = 'waiting' | 'received' | 'abandoned';

/**
 * The state of `slot` at `now`, given whether storage holds its file. Pass `fileStored` from a
 * look at storage (a submission, or the object itself): the event announcing a file may come late.
 */
export function slotStateOf(slot: Pick<UploadSlot, 'expiresAt'>, fileStored: boolean, now: Date): SlotState {
  if (fileStored) return 'received';
  return now.getTime() >= abandonedAt(slot).getTime() ? 'abandoned' : 'waiting';
}

/** When a slot with no file becomes abandoned. */
export function abandonedAt(slot: Pick<UploadSlot, 'expiresAt'>): Date {
  return new Date(Date.parse(slot.expiresAt) + ABANDONED_AFTER_EXPIRY_SECONDS * 1000);
}

export type SlotStores = {
  repo: Pick<Repository, 'nextUploadSeq' | 'putSlot'>;
  objects: Pick<ObjectStore, 'presignPost'>;
};

export type SlotRefusal = Refusal<'unknown-country' | 'unsupported-format'>;

/**
 * An upload slot: a presigned S3 POST for exactly one key, with the operation's size limit and a
 * short expiry. The slot's per-country sequence (an atomic counter) orders the upload among the
 * country's returns; the key carries it, so the ingest needs no lookup to order it.
 */
export async function createUploadSlot(
  stores: SlotStores,
  record: OperationRecord,
  input: { country: string; fileName: string; dryRun: boolean; by: string },
  o: { now: Date; randomHex: (bytes: number) => string },
): Promise<Result<UploadSlot & { post: PresignedPost }, SlotRefusal>> {
  const op = record.definition;
  if (!op.participants.some((p) => p.code === input.country)) {
    return err(
      refusal('unknown-country', msg('error.unknown-country', { country: input.country, name: op.name })),
    );
  }
  const fileName = safeFileName(input.fileName);
  if (formatOf(fileName) === null) {
    return err(refusal('unsupported-format', msg('error.unsupported-format.slot', { fileName })));
  }
  const seq = await stores.repo.nextUploadSeq(op.id, input.country);
  const uploadId = uploadIdOf(seq, o.randomHex(4));
  const key = slotKey({ dryRun: input.dryRun, operation: op.id, country: input.country, uploadId, fileName });
  const slot: UploadSlot = {
    uploadId,
    operation: op.id,
    country: input.country,
    seq,
    key,
    fileName,
    dryRun: input.dryRun,
    createdAt: o.now.toISOString(),
    expiresAt: new Date(o.now.getTime() + SLOT_SECONDS * 1000).toISOString(),
    createdBy: input.by,
    maxBytes: op.limits.maxFileBytes,
  };
  const post = await stores.objects.presignPost(key, slot.maxBytes, SLOT_SECONDS);
  await stores.repo.putSlot(slot);
  return ok({ ...slot, post });
}
