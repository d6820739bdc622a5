import type { ObjectStore } from '../adapters/objects.ts';
import type { Repository } from '../adapters/repository.ts';
import type { Manifest } from '../domain/final-export.ts';
import type { OperationRecord } from '../domain/ledger.ts';
import { finalManifestKey } from '../domain/object-keys.ts';
import { err, ok, type Result } from '../domain/result.ts';
import { msg, type Refusal, refusal } from '../i18n/text.ts';
import { currentManifest } from './audit.ts';

export type FinalRefusal = Refusal<'not-closed' | 'final-not-frozen'>;

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
    return err(refusal('not-closed', msg('error.not-closed', { name: op.name, status })));
  }
  if (status === 'closed') return ok(await currentManifest(stores.repo, record));
  const frozen = await stores.objects.getJson<Manifest>(finalManifestKey(op.id));
  if (!frozen) {
    return err(
      refusal('final-not-frozen', msg('error.final-not-frozen.manifest', { name: op.name, op: op.id })),
    );
  }
  return ok(frozen);
}
