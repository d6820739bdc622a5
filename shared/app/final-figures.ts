import type { ObjectStore } from '../adapters/objects.ts';
import type { Repository } from '../adapters/repository.ts';
import type { Manifest } from '../domain/final-export.ts';
import type { OperationRecord } from '../domain/ledger.ts';
import { finalManifestKey } from '../domain/object-keys.ts';
import { err, ok, type Result } from '../domain/result.ts';
import { currentManifest } from './audit.ts';

export type FinalRefusal = { code: 'not-closed' | 'final-not-frozen'; message: string };

/**
 * The figures auditors pull: the manifest frozen at finalisation once the operation is final —
 * never the live figures under that label — or, while it is closed, the figures that count now.
 * Nothing before it is closed.
 */
export async function finalFigures(
  stores: { repo: Repository; objects: Pick<ObjectStore, 'getJson'> },
  record: OperationRecord,
): Promise<Result<Manifest, FinalRefusal>> {
  const { definition: op, status } = record;
  if (status === 'draft' || status === 'open') {
    return err({
      code: 'not-closed',
      message: `${op.name} is ${status}: final figures exist once it is closed. Use the rollup for live figures.`,
    });
  }
  if (status === 'closed') return ok(await currentManifest(stores.repo, record));
  const frozen = await stores.objects.getJson<Manifest>(finalManifestKey(op.id));
  if (!frozen) {
    return err({
      code: 'final-not-frozen',
      message: `${op.name} is final but its manifest is not frozen: an admin sends POST /operations/${op.id}/status {"status":"final"} again to complete the finalisation.`,
    });
  }
  return ok(frozen);
}
