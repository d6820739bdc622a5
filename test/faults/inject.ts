import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { objectCreated, sqsEventOf } from '../../events/load-event.ts';
import type { LocalStack } from '../../local/stack.ts';
import { ObjectStore } from '../../shared/adapters/objects.ts';
import { Repository } from '../../shared/adapters/repository.ts';
import { storedRollup as storedRollupOf } from '../../shared/app/read-rollup.ts';
import type { RollupView } from '../../shared/domain/rollup.ts';

/** Whether an injected fault strikes before the real call (it never happened) or after it (it did). */
export type FaultTiming = 'before' | 'after';

/** The error an injected fault throws: what the handler sees of a crash or a lost connection. */
export class InjectedFaultError extends Error {
  readonly code = 'ECONNRESET';
  constructor(method: string, timing: FaultTiming) {
    super(`injected fault ${timing} ${method}`);
    this.name = 'InjectedFaultError';
  }
}

/**
 * Makes the `call`-th call of `target[method]` throw once, before or after the real call. Returns
 * how many times the fault struck (0 or 1), to check the schedule did reach it.
 */
export function failOnce<T extends object>(
  target: T,
  method: keyof T & string,
  call: number,
  timing: FaultTiming,
): { struck: () => number } {
  const real = (target[method] as (...args: unknown[]) => Promise<unknown>).bind(target);
  let calls = 0;
  let struck = 0;
  Object.assign(target, {
    [method]: async (...args: unknown[]) => {
      calls++;
      const strike = calls === call;
      if (strike && timing === 'before') {
        struck++;
        throw new InjectedFaultError(method, timing);
      }
      const out = await real(...args);
      if (strike) {
        struck++;
        throw new InjectedFaultError(method, timing);
      }
      return out;
    },
  });
  return { struck: () => struck };
}

/** A repository and an object store of their own on the stack's servers, free to be made faulty. */
export function ownAdapters(stack: LocalStack): { repo: Repository; objects: ObjectStore } {
  return {
    repo: new Repository(stack.repo.db, stack.table),
    objects: new ObjectStore(stack.objects.s3, stack.bucket),
  };
}

/**
 * Delivers an upload's notification the way SQS does: again (one more receive) while the handler
 * reports it failed, up to `maxReceives`. Returns the number of deliveries it took.
 */
export async function deliverUntilDone(
  ingest: (event: SQSEvent) => Promise<SQSBatchResponse>,
  notification: unknown,
  maxReceives = 5,
): Promise<number> {
  for (let receive = 1; receive <= maxReceives; receive++) {
    const out = await ingest(sqsEventOf([notification], receive));
    if (out.batchItemFailures.length === 0) return receive;
  }
  throw new Error(`still failing after ${maxReceives} receives`);
}

/** Puts a return into the stack's S3 API and returns its object-created notification. */
export async function uploaded(
  stack: LocalStack,
  key: string,
  body: string,
  eventTime: string,
): Promise<ReturnType<typeof objectCreated>> {
  await stack.objects.put(key, body);
  return objectCreated(key, { eventTime, bucket: stack.bucket, size: Buffer.byteLength(body) });
}

/** The stored rollup of an operation, parsed (null before any accepted upload). */
export async function storedRollup(stack: LocalStack, op: string): Promise<RollupView | null> {
  const stored = await storedRollupOf(stack, op);
  return stored?.body ? (JSON.parse(stored.body) as RollupView) : null;
}
