import type { ObjectStore } from '../adapters/objects.ts';
import type { Repository } from '../adapters/repository.ts';
import { type Manifest, manifestDigest } from '../domain/final-export.ts';
import type { OperationRecord } from '../domain/ledger.ts';
import { checkTransition } from '../domain/lifecycle.ts';
import { evidenceOf, finalLedgerKey, finalManifestKey, finalSignatureKey } from '../domain/object-keys.ts';
import type { OperationStatus } from '../domain/operation.ts';
import { err, ok, type Result } from '../domain/result.ts';
import type { ManifestSignature } from '../domain/signature.ts';
import { msg, type Refusal, refusal } from '../i18n/text.ts';
import { archiveOperation, currentManifest, ledgerOf } from './audit.ts';
import { type Signer, signManifest } from './sign-manifest.ts';

export type StatusStores = { repo: Repository; objects: ObjectStore; signer: Signer };

export type StatusChanged = {
  record: OperationRecord;
  reopening: boolean;
  /** The digest of the frozen manifest, when the operation is final. */
  manifestSha256: string | null;
};

export type StatusRefusal = Refusal<'bad-transition' | 'conflict' | 'still-processing'>;

/**
 * Moves an operation's lifecycle (`draft → open → closed → final`, or back with a reason).
 * Finalising freezes the manifest **before** the status says `final` (invariant 6), and only once
 * every file received so far has its verdict — so the final figures can never change under the
 * manifest. Asking again to finalise a final operation completes any step a failed first request
 * left undone (the archive, the head's copy of the status), and answers the same digest.
 */
export async function changeStatus(
  stores: StatusStores,
  record: OperationRecord,
  to: OperationStatus,
  o: { reason: string; by: string },
): Promise<Result<StatusChanged, StatusRefusal>> {
  const op = record.definition.id;
  // Asking again for the status it already has completes what a failed first request may have
  // left undone: the rollup head's copy of the status (written after the record).
  if (record.status === to) await stores.repo.mirrorStatus(op, record.status, record.statusLog.length);
  if (to === 'final' && record.status === 'final') {
    const frozen = await stores.objects.getJson<Manifest>(finalManifestKey(op));
    const signed = frozen && (await stores.objects.getJson<ManifestSignature>(finalSignatureKey(op)));
    const manifest = frozen && signed ? frozen : await freeze(stores, record);
    await archiveOperation(stores.objects, record);
    return ok({ record, reopening: false, manifestSha256: manifestDigest(manifest) });
  }
  const transition = checkTransition(record.status, to, o.reason);
  if (!transition.ok) return err(transition.error);
  let manifest: Manifest | null = null;
  if (to === 'final') {
    const pending = await pendingFiles(stores, op);
    if (pending.length > 0) {
      const files = `${pending.slice(0, 5).join(', ')}${pending.length > 5 ? ', …' : ''}`;
      return err(
        refusal('still-processing', msg('error.still-processing', { count: pending.length, files })),
      );
    }
    manifest = await freeze(stores, { ...record, status: 'final' });
  }
  const changed = await stores.repo.setOperationStatus(op, record.status, to, o.by, o.reason);
  if (!changed) {
    return err(refusal('conflict', msg('error.conflict.status')));
  }
  const updated = await stores.repo.getOperation(op);
  if (!updated) throw new Error(`operation ${op} vanished while its status changed`);
  await archiveOperation(stores.objects, updated);
  return ok({
    record: updated,
    reopening: transition.value.reopening,
    manifestSha256: manifest ? manifestDigest(manifest) : null,
  });
}

/**
 * Freezes what the final figures follow from: the ledger tree's leaves, the manifest of the
 * figures that count now (with the tree's root), and the manifest's signature — all before the
 * status may say `final`.
 */
async function freeze(stores: StatusStores, record: OperationRecord): Promise<Manifest> {
  const op = record.definition.id;
  const manifest = await currentManifest(stores.repo, record);
  const leaves = await ledgerOf(stores.repo, op, await stores.repo.listCountries(op));
  await stores.objects.putJson(finalLedgerKey(op), leaves);
  await stores.objects.putJson(finalManifestKey(op), manifest);
  await stores.objects.putJson(
    finalSignatureKey(op),
    await signManifest(stores.signer, manifest, new Date()),
  );
  return manifest;
}

/**
 * Files that could still change the figures: ledger entries still processing, and raw files (each
 * version, where the bucket keeps versions) with no ledger entry at all (their event has not been
 * handled yet).
 */
async function pendingFiles(stores: StatusStores, op: string): Promise<string[]> {
  const ledger = await stores.repo.allSubmissions(op);
  const known = new Set(ledger.map((s) => evidenceOf(s.key, s.versionId)));
  const processing = ledger.filter((s) => s.status === 'processing').map((s) => s.key);
  const unseen = (await stores.objects.listVersions(`incoming/${op}/`))
    .filter((o) => !known.has(evidenceOf(o.key, o.versionId)))
    .map((o) => o.key);
  return [...processing, ...unseen];
}
