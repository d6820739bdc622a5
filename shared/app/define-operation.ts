import type { ObjectStore } from '../adapters/objects.ts';
import type { Repository } from '../adapters/repository.ts';
import { diffDefinitions } from '../domain/definition-diff.ts';
import { canonicalJson, sha256Hex } from '../domain/final-export.ts';
import type { DefinitionChange, OperationRecord } from '../domain/ledger.ts';
import { definitionKey, definitionVersionKey } from '../domain/object-keys.ts';
import type { Operation, OperationStatus } from '../domain/operation.ts';
import { err, ok, type Result } from '../domain/result.ts';
import { msg, type Refusal, refusal } from '../i18n/text.ts';
import { type RollupWriteStores, refreshRollup } from './refresh-rollup.ts';

export type DefineStores = {
  repo: Pick<Repository, 'getOperation' | 'putDefinition'> & RollupWriteStores['repo'];
  objects: Pick<ObjectStore, 'putJson'> & RollupWriteStores['objects'];
};

export type Defined = {
  outcome: 'created' | 'changed' | 'unchanged';
  record: OperationRecord;
  changes: string[];
};

/** Why a definition was refused (the API answers 409 with it; the CLI prints it). */
export type DefineRefusal = Refusal<'operation-not-editable' | 'conflict'>;

/**
 * Defines an operation, or changes its definition (invariant 6): every change is a versioned,
 * logged event (who, when, the definition's hash, what changed), the definition is archived by
 * content before it is used, and a closed or final operation refuses any change — its figures
 * were judged with the definition it has. The rollup is recomputed with the new definition.
 */
export async function defineOperation(
  stores: DefineStores,
  definition: Operation,
  o: { by: string; initialStatus: OperationStatus; now?: () => Date },
): Promise<Result<Defined, DefineRefusal>> {
  const now = o.now ?? (() => new Date());
  const sha256 = sha256Hex(canonicalJson(definition));
  // Two tries: a concurrent change of the same operation makes the first conditional write fail.
  for (let attempt = 0; attempt < 2; attempt++) {
    const existing = await stores.repo.getOperation(definition.id);
    if (existing && canonicalJson(existing.definition) === canonicalJson(definition)) {
      await archive(stores, existing, sha256);
      return ok({ outcome: 'unchanged', record: existing, changes: [] });
    }
    if (existing && existing.status !== 'draft' && existing.status !== 'open') {
      return err(
        refusal(
          'operation-not-editable',
          msg('error.operation-not-editable', {
            name: existing.definition.name,
            status: existing.status,
            op: definition.id,
          }),
        ),
      );
    }
    const change: DefinitionChange = {
      version: (existing?.definitionVersion ?? 0) + 1,
      at: now().toISOString(),
      by: o.by,
      sha256,
      changes: existing ? diffDefinitions(existing.definition, definition) : ['created'],
    };
    // Archived before it is referenced: any version the ledger names can be read back.
    await stores.objects.putJson(definitionVersionKey(definition.id, sha256), definition);
    if (!(await stores.repo.putDefinition(definition, change, o.initialStatus))) continue;
    const record = await stores.repo.getOperation(definition.id);
    if (!record) throw new Error(`operation ${definition.id} vanished after it was defined`);
    await archive(stores, record, sha256);
    await refreshRollup(stores, definition.id);
    return ok({ outcome: existing ? 'changed' : 'created', record, changes: change.changes });
  }
  return err(refusal('conflict', msg('error.conflict.definition', { op: definition.id })));
}

async function archive(stores: DefineStores, record: OperationRecord, sha256: string): Promise<void> {
  await stores.objects.putJson(definitionVersionKey(record.definition.id, sha256), record.definition);
  await stores.objects.putJson(definitionKey(record.definition.id), record);
}

/** The definition a submission was judged with: the current one, or an archived earlier version. */
export async function definitionOfVersion(
  objects: Pick<ObjectStore, 'getJson'>,
  record: OperationRecord,
  version: number,
): Promise<Operation> {
  if (version === record.definitionVersion) return record.definition;
  const entry = record.definitionLog.find((c) => c.version === version);
  const archived = entry
    ? await objects.getJson<Operation>(definitionVersionKey(record.definition.id, entry.sha256))
    : null;
  if (!archived) {
    throw new Error(`definition version ${version} of ${record.definition.id} is not archived`);
  }
  return archived;
}
