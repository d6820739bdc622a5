import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type LocalStack, type StackOptions, startLocalStack } from '../../local/stack.ts';
import { documentClient } from '../../shared/adapters/aws-clients.ts';
import { LocalSigner } from '../../shared/adapters/local-signer.ts';
import { Repository } from '../../shared/adapters/repository.ts';
import { defineOperation } from '../../shared/app/define-operation.ts';
import type { OperationRecord } from '../../shared/domain/ledger.ts';
import type { Operation, OperationStatus } from '../../shared/domain/operation.ts';

/** A local stack in a fresh temporary folder, on free ports; `stop` removes the folder. */
export async function freshStack(
  options: StackOptions = {},
): Promise<LocalStack & { dispose: () => Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'optally-test-'));
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    quiet: true,
    buildWeb: false,
    queue: { retryDelayMs: 20, maxRetryDelayMs: 100 },
    ...options,
  });
  return {
    ...stack,
    dispose: async () => {
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A repository on the stack's table whose client counts the DynamoDB requests it sends. */
export function countingRepository(stack: Pick<LocalStack, 'dynamodbEndpoint' | 'table'>): {
  repo: Repository;
  requests: () => number;
  reset: () => void;
} {
  const db: DynamoDBDocumentClient = documentClient({ dynamodb: stack.dynamodbEndpoint });
  let count = 0;
  db.middlewareStack.add(
    (next) => async (args) => {
      count++;
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  return { repo: new Repository(db, stack.table), requests: () => count, reset: () => (count = 0) };
}

/** Reads a whole byte stream (Node 20 has no Array.fromAsync). */
export async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Defines (or redefines) an operation on a stack as `optally define` does; throws if refused. */
export async function defineOn(
  stack: Pick<LocalStack, 'repo' | 'objects'>,
  op: Operation,
  initialStatus: OperationStatus = 'open',
): Promise<OperationRecord> {
  const defined = await defineOperation({ repo: stack.repo, objects: stack.objects }, op, {
    by: 'test',
    initialStatus,
  });
  if (!defined.ok) throw new Error(defined.error.message);
  return defined.value.record;
}

/** A signer with a fresh local key pair in a temporary folder (the local stand-in for KMS). */
export async function aSigner(): Promise<LocalSigner> {
  return LocalSigner.open(await mkdtemp(join(tmpdir(), 'optally-key-')));
}
