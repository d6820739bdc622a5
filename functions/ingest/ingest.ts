import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { ObjectStore } from '../../shared/adapters/objects.ts';
import type { Repository } from '../../shared/adapters/repository.ts';
import { defaultLog, type Log, withKeys } from '../../shared/adapters/telemetry.ts';
import { ingestUpload } from '../../shared/app/ingest-upload.ts';
import { refreshRollup as recompute } from '../../shared/app/refresh-rollup.ts';
import type { OperationRecord, Submission } from '../../shared/domain/ledger.ts';
import type { CountryState } from '../../shared/domain/rollup.ts';
import {
  type ObjectCreated,
  parseIncomingKey,
  parseS3Notification,
  submissionId,
} from '../../shared/domain/uploads.ts';

export { ObjectReadError } from '../../shared/app/read-object.ts';

/** What the ingest needs from the outside world. */
export type IngestDeps = {
  repo: Repository;
  objects: ObjectStore;
  /** The queue's maxReceiveCount: on the last attempt a failure is recorded as `failed`. */
  maxReceives: number;
  now?: () => Date;
  /** Where log entries go (default: JSON lines on stdout); each gets the ids of its message and file. */
  log?: Log;
  /** Messages handled at once (default INGEST_CONCURRENCY). */
  concurrency?: number;
  /** Time a message needs at most; none is started with less left (default INGEST_RESERVE_MS). */
  reserveMs?: number;
  /** Told of every rollup refresh's end (the function's metrics count them). */
  onRefresh?: (outcome: 'refreshed' | 'failed') => void;
};

/** Messages of a batch handled at once: streams bound memory per file, this bounds the files. */
export const INGEST_CONCURRENCY = 4;

/**
 * The longest one message may take: the largest file the operation limits allow (1,000,000 rows
 * streamed at ≥ 300,000 rows/s measured here, so ~3.5 s; a Lambda with less CPU is slower) plus
 * its S3 and DynamoDB requests and the rollup refresh, with a wide margin.
 */
export const INGEST_RESERVE_MS = 20_000;

/** Runs `work` over `items`, at most `size` at a time. */
async function inPool<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}

/**
 * The ingest Lambda: SQS-wrapped S3 notifications in, partial batch failures out. Each upload is
 * checked and, if accepted, applied; then each touched operation's rollup is recomputed once.
 * Replaying any message any number of times, in any order, leaves the same totals (invariant 2).
 */
export function makeIngestHandler(
  deps: IngestDeps,
): (event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<SQSBatchResponse> {
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? defaultLog();

  const refreshRollup = coalescedRefresh(async (op) => {
    try {
      await recompute({ repo: deps.repo, objects: deps.objects, now }, op);
      deps.onRefresh?.('refreshed');
    } catch (e) {
      deps.onRefresh?.('failed');
      throw e;
    }
  });

  return async (event, context) => {
    const failures = new Set<string>();
    const touched = new Map<string, Set<string>>();
    // One read per operation per batch — its record and the country items the batch names, in one
    // request — so its messages are handled as if at the same instant; the verdicts are written
    // together once every message is judged.
    const { operation, countries } = batchReads(deps.repo, event);
    const ledger: { messageId: string; sub: Submission }[] = [];

    // The messages of a batch are independent (each upload is applied by a conditional write of
    // its own country item), so they are handled concurrently — at most INGEST_CONCURRENCY at a
    // time, so a batch of large files cannot exhaust the function's memory. A message is started
    // only while the invocation has time left for a file of the largest allowed size; the others
    // go back to the queue unstarted, so no submission is left `processing` by a timeout.
    const remaining = context?.getRemainingTimeInMillis ?? (() => Number.POSITIVE_INFINITY);
    await inPool(event.Records, deps.concurrency ?? INGEST_CONCURRENCY, async (message) => {
      // Messages are handled concurrently: their ids travel with their log functions, not the logger.
      const messageLog = withKeys(log, { messageId: message.messageId });
      let fileLog = messageLog;
      if (remaining() < (deps.reserveMs ?? INGEST_RESERVE_MS)) {
        messageLog({ level: 'warn', msg: 'deferred: too little time left in this invocation' });
        failures.add(message.messageId);
        return;
      }
      try {
        for (const created of parseS3Notification(message.body).records) {
          fileLog = withKeys(messageLog, fileKeys(created));
          const op = await ingestUpload(deps, created, {
            attempts: Number(message.attributes?.ApproximateReceiveCount ?? '1'),
            maxReceives: deps.maxReceives,
            now,
            log: fileLog,
            operation,
            country: countries,
            finish: (sub) => ledger.push({ messageId: message.messageId, sub }),
          });
          if (op) {
            const messages = touched.get(op) ?? new Set<string>();
            touched.set(op, messages);
            messages.add(message.messageId);
          }
        }
      } catch (e) {
        fileLog({ level: 'error', msg: 'ingest failed', error: e });
        failures.add(message.messageId);
      }
    });

    await recordVerdicts(deps.repo, ledger, failures, log);

    for (const [op, messages] of touched) {
      try {
        await refreshRollup(op);
      } catch (e) {
        // The uploads are applied; retrying their messages recomputes the rollup (a no-op otherwise).
        log({ level: 'error', msg: 'rollup refresh failed', operation: op, error: e });
        for (const id of messages) failures.add(id);
      }
    }
    return { batchItemFailures: [...failures].map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/**
 * Reads, in one BatchGetItem per operation, the operation record and the country items every
 * message of the batch names (its key says the operation and country); a message's operation and
 * country are then taken from that read. A failed read is not remembered: the message that needed
 * it fails (the queue delivers it again) and the batch's next message reads again.
 */
function batchReads(
  repo: Pick<Repository, 'getOperationAndCountries' | 'getCountries'>,
  event: SQSEvent,
): {
  operation: (op: string) => Promise<OperationRecord | null>;
  countries: (op: string, country: string) => Promise<CountryState | null>;
} {
  const wanted = new Map<string, Set<string>>();
  for (const message of event.Records) {
    let records: ObjectCreated[];
    try {
      records = parseS3Notification(message.body).records;
    } catch {
      continue; // a poison message: its own handling reports it
    }
    for (const created of records) {
      const address = parseIncomingKey(created.key);
      if (!address) continue;
      const set = wanted.get(address.operation) ?? new Set<string>();
      set.add(address.country);
      wanted.set(address.operation, set);
    }
  }
  type Read = Awaited<ReturnType<Repository['getOperationAndCountries']>>;
  const reads = new Map<string, Promise<Read>>();
  const read = (op: string): Promise<Read> => {
    let found = reads.get(op);
    if (!found) {
      found = repo.getOperationAndCountries(op, [...(wanted.get(op) ?? [])]);
      found.catch(() => reads.delete(op));
      reads.set(op, found);
    }
    return found;
  };
  return {
    operation: (op) => read(op).then((r) => r.record),
    countries: (op, country) =>
      wanted.get(op)?.has(country)
        ? read(op).then((r) => r.countries.get(country) ?? null)
        : repo.getCountries(op, [country]).then((found) => found.get(country) ?? null),
  };
}

/**
 * Writes the batch's verdicts in as few requests as possible (BatchWriteItem, 25 a request). When that fails, each is written on
 * its own; a message whose verdict still cannot be written fails (its submission stays
 * `processing`, and its redelivery records the same verdict).
 */
async function recordVerdicts(
  repo: Pick<Repository, 'finishSubmissions' | 'finishSubmission'>,
  ledger: readonly { messageId: string; sub: Submission }[],
  failures: Set<string>,
  log: Log,
): Promise<void> {
  // Verdicts decided by a message that failed later (a second record of its notification) are
  // recorded too: they are final, and its redelivery then skips them as duplicates.
  const due = ledger;
  if (due.length === 0) return;
  try {
    await repo.finishSubmissions(due.map((entry) => entry.sub));
    return;
  } catch (e) {
    log({ level: 'warn', msg: 'batched ledger write failed; writing each verdict alone', error: e });
  }
  for (const { messageId, sub } of due) {
    try {
      await repo.finishSubmission(sub);
    } catch (e) {
      log({ level: 'error', msg: 'ledger write failed', submission: sub.id, error: e });
      failures.add(messageId);
    }
  }
}

/** The ids that name an uploaded file on every log line about it: its S3 key and its submission. */
function fileKeys(created: ObjectCreated): { key: string; submission?: string } {
  const address = parseIncomingKey(created.key);
  return address
    ? { key: created.key, submission: submissionId(address.country, created) }
    : { key: created.key };
}

/**
 * Rollup refreshes of one operation, coalesced within this handler instance (its concurrent
 * batches): at most one runs and at most one waits. A caller joins the waiting refresh — it has
 * not started, so its Query will see the caller's writes — or queues one behind the running
 * refresh, whose Query may predate them. So every caller still settles only after a refresh
 * that began after its writes (the last batch always refreshes), while a burst of batches costs
 * two refreshes instead of one per batch. A failed refresh fails every caller that waited on it.
 */
function coalescedRefresh(refresh: (op: string) => Promise<unknown>): (op: string) => Promise<void> {
  const running = new Map<string, Promise<void>>();
  const waiting = new Map<string, Promise<void>>();
  const start = (op: string): Promise<void> => {
    waiting.delete(op);
    const run = refresh(op).then(() => undefined);
    running.set(op, run);
    const clear = () => {
      if (running.get(op) === run) running.delete(op);
    };
    run.then(clear, clear);
    return run;
  };
  return (op) => {
    const queued = waiting.get(op);
    if (queued) return queued;
    const current = running.get(op);
    if (!current) return start(op);
    const next = current.then(
      () => start(op),
      () => start(op),
    );
    waiting.set(op, next);
    return next;
  };
}
