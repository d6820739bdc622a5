import { createHash } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { ObjectStore } from '../../shared/adapters/objects.ts';
import type {
  ApplyOutcome,
  OperationRecord,
  Repository,
  Submission,
} from '../../shared/adapters/repository.ts';
import { type CheckedReturn, ReturnChecker } from '../../shared/domain/check-return.ts';
import type { Operation, OperationStatus } from '../../shared/domain/operation.ts';
import { type Problem, problem } from '../../shared/domain/problems.ts';
import { formatOf, readReturn } from '../../shared/domain/read-return.ts';
import { reportKey, type StoredReport, VALIDATOR_VERSION } from '../../shared/domain/stored-report.ts';
import {
  type ObjectCreated,
  orderKeyOf,
  parseIncomingKey,
  parseS3Notification,
  submissionId,
} from '../../shared/domain/uploads.ts';

/** What the ingest needs from the outside world. */
export type IngestDeps = {
  repo: Repository;
  objects: ObjectStore;
  /** The queue's maxReceiveCount: on the last attempt a failure is recorded as `failed`. */
  maxReceives: number;
  now?: () => Date;
  log?: (entry: Record<string, unknown>) => void;
};

/**
 * The ingest Lambda: SQS-wrapped S3 notifications in, partial batch failures out. Each upload is
 * checked and, if accepted, applied; then each touched operation's rollup is recomputed once.
 * Replaying any message any number of times, in any order, leaves the same totals (invariant 2).
 */
export function makeIngestHandler(deps: IngestDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? ((entry) => console.log(JSON.stringify(entry)));

  const refreshRollup = coalescedRefresh((op) => deps.repo.refreshRollup(op));

  return async (event) => {
    const failures = new Set<string>();
    const touched = new Map<string, { definition: Operation; messages: Set<string> }>();
    // One read of each operation per batch: its messages are handled as if at the same instant.
    const operations = new Map<string, Promise<OperationRecord | null>>();
    const operation = (id: string): Promise<OperationRecord | null> => {
      let found = operations.get(id);
      if (!found) {
        found = deps.repo.getOperation(id);
        // A failed read is not remembered: the next message of the batch tries again.
        found.catch(() => operations.delete(id));
        operations.set(id, found);
      }
      return found;
    };

    // The messages of a batch are independent (each upload is applied by a conditional write of
    // its own country item), so they are handled concurrently.
    await Promise.all(
      event.Records.map(async (message) => {
        try {
          for (const created of parseS3Notification(message.body).records) {
            const op = await ingestObject(created, message, deps, operation, now, log);
            if (op) {
              const entry = touched.get(op.id) ?? { definition: op, messages: new Set<string>() };
              touched.set(op.id, entry);
              entry.messages.add(message.messageId);
            }
          }
        } catch (e) {
          log({ level: 'error', msg: 'ingest failed', messageId: message.messageId, error: String(e) });
          failures.add(message.messageId);
        }
      }),
    );

    for (const [op, { definition, messages }] of touched) {
      try {
        await refreshRollup(definition);
      } catch (e) {
        // The uploads are applied; retrying their messages recomputes the rollup (a no-op otherwise).
        log({ level: 'error', msg: 'rollup refresh failed', operation: op, error: String(e) });
        for (const id of messages) failures.add(id);
      }
    }
    return { batchItemFailures: [...failures].map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/** Handles one uploaded object; returns the operation whose rollup may have changed. */
async function ingestObject(
  created: ObjectCreated,
  message: SQSRecord,
  deps: IngestDeps,
  operation: (id: string) => Promise<OperationRecord | null>,
  now: () => Date,
  log: NonNullable<IngestDeps['log']>,
): Promise<Operation | null> {
  const { repo, objects } = deps;
  const address = parseIncomingKey(created.key);
  if (!address) {
    log({ level: 'warn', msg: 'ignored: not an incoming return key', key: created.key });
    return null;
  }
  const record = await operation(address.operation);
  if (!record) {
    log({ level: 'warn', msg: 'ignored: unknown operation', key: created.key });
    return null;
  }
  const op = record.definition;
  const id = submissionId(address.country, created);
  const attempts = Number(message.attributes?.ApproximateReceiveCount ?? '1');
  const submission: Submission = {
    id,
    operation: op.id,
    country: address.country,
    key: created.key,
    uploadId: address.uploadId,
    size: created.size,
    sha256: null,
    receivedAt: created.eventTime,
    processedAt: null,
    status: 'processing',
    orderKey: orderKeyOf(created),
    errors: 0,
    warnings: 0,
    reportKey: null,
    summary: null,
    failure: null,
    attempts,
  };
  if (!(await repo.startSubmission(submission))) {
    log({ level: 'info', msg: 'duplicate event: already processed', submission: id });
    return op;
  }

  try {
    const previous = await repo.getCountry(op.id, address.country);
    const pre = preChecks(op, record.status, address.country, address.name);
    const { checked, sha256, size } = await readWithRetries(
      async () => {
        const object = await objects.open(created.key, created.versionId);
        const hashed = hashing(object.body);
        const checked =
          pre.length > 0
            ? rejectWith(op, address.country, pre)
            : await readReturn(hashed.source, formatOf(address.name)!, {
                operation: op,
                country: address.country,
                previous: previous?.figures ?? null,
              });
        return { checked, ...(await hashed.finish()) };
      },
      (attempt, error) =>
        log({
          level: 'warn',
          msg: 'S3 read failed; reading again',
          key: created.key,
          attempt,
          error: String(error),
        }),
    );
    const processedAt = now().toISOString();
    const key = reportKey(op.id, address.country, id);
    const receipt = { ...submission, sha256, size };
    let outcome: ApplyOutcome | null = null;
    if (checked.figures) {
      const { byDayBreakdown: _detail, rows: _rows, ...figures } = checked.figures;
      outcome = await repo.applyCountry(op.id, {
        country: address.country,
        figures,
        submissionId: id,
        orderKey: submission.orderKey,
        receivedAt: created.eventTime,
        acceptedAt: processedAt,
      });
      log({ level: 'info', msg: 'return accepted', submission: id, outcome });
    } else {
      log({ level: 'info', msg: 'return rejected', submission: id, errors: checked.report.counts.errors });
    }

    // Written after the apply, with its outcome: `optally rebuild` restores DynamoDB from these alone.
    const stored: StoredReport = {
      submission: {
        id,
        operation: op.id,
        country: address.country,
        key: created.key,
        uploadId: address.uploadId,
        size,
        sha256,
        receivedAt: created.eventTime,
        orderKey: submission.orderKey,
      },
      processedAt,
      validatorVersion: VALIDATOR_VERSION,
      report: checked.report,
      figures: checked.figures,
      outcome,
    };
    await objects.putJson(key, stored);

    await repo.finishSubmission({
      ...receipt,
      processedAt,
      status: checked.report.verdict,
      errors: checked.report.counts.errors,
      warnings: checked.report.counts.warnings,
      reportKey: key,
      summary: { verdict: checked.report.verdict, counts: checked.report.counts },
    });
    return op;
  } catch (e) {
    if (attempts >= deps.maxReceives) {
      // Last attempt: the message goes to the DLQ next; leave a visible status and the reason.
      await repo
        .finishSubmission({
          ...submission,
          status: 'failed',
          failure: String(e),
          processedAt: now().toISOString(),
        })
        .catch(() => undefined);
    }
    throw e;
  }
}

/** Problems that reject a file before its content is read. */
function preChecks(op: Operation, status: OperationStatus, country: string, name: string): Problem[] {
  const problems: Problem[] = [];
  if (!op.participants.some((p) => p.code === country)) {
    problems.push(
      problem(
        'unknown-country',
        { column: 'key', value: country },
        `"${country}" is not a participant of ${op.name}.`,
        'Upload under your own two-letter ISO country code, e.g. incoming/liberterra-iii/BR/return.csv.',
      ),
    );
  }
  if (status !== 'open') {
    problems.push(
      problem(
        'operation-not-open',
        { value: status },
        `${op.name} is ${status}: it does not take returns now.`,
        'Ask the operation’s coordinators to reopen it if your return is missing.',
      ),
    );
  }
  if (formatOf(name) === null) {
    problems.push(
      problem(
        'unsupported-format',
        { column: 'key', value: name },
        `"${name}" is not a CSV, JSON or Excel (.xlsx) file.`,
        'Upload the return as .csv (UTF-8), .json or .xlsx (macro-free).',
      ),
    );
  }
  return problems;
}

function rejectWith(op: Operation, country: string, problems: Problem[]): CheckedReturn {
  const checker = new ReturnChecker({ operation: op, country });
  for (const p of problems) checker.fileProblem(p);
  return checker.finish();
}

/**
 * Passes a stream through while hashing it. The parser may stop early (a rejected file); `finish`
 * reads the rest so the receipt's SHA-256 and size are always those of the whole object.
 * A read error (a connection reset mid-object) is not the file's fault: the parser would report
 * it as a malformed file, so `finish` throws it instead, as an `ObjectReadError`.
 */
function hashing(body: AsyncIterable<Uint8Array>): {
  source: AsyncIterable<Uint8Array>;
  finish: () => Promise<{ sha256: string; size: number }>;
} {
  const it = body[Symbol.asyncIterator]();
  const hash = createHash('sha256');
  let size = 0;
  let failure: unknown = null;
  const next = async (): Promise<IteratorResult<Uint8Array>> => {
    if (failure) throw failure;
    let r: IteratorResult<Uint8Array>;
    try {
      r = await it.next();
    } catch (e) {
      failure = e;
      throw e;
    }
    if (!r.done) {
      hash.update(r.value);
      size += r.value.length;
    }
    return r;
  };
  return {
    source: {
      [Symbol.asyncIterator]: () => ({ next, return: async () => ({ done: true, value: undefined }) }),
    },
    finish: async () => {
      try {
        while (!(await next()).done) {
          // drain
        }
      } catch (e) {
        throw new ObjectReadError(`reading the object failed after ${size} bytes: ${String(e)}`, e);
      }
      return { sha256: hash.digest('hex'), size };
    },
  };
}

/** The object could not be read to its end (a transport failure, not a property of the file). */
export class ObjectReadError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'ObjectReadError';
  }
}

/** In-handler reads of one object before the failure goes back to the queue. */
const READ_ATTEMPTS = 3;

/**
 * Reads and checks an object, opening it again after a transient failure (a reset connection, an
 * S3 5xx): the check is a pure function of the bytes, so reading twice is safe. A missing object
 * or a refused request is not retried here; the queue's retries and the DLQ handle those.
 */
async function readWithRetries<T>(
  read: () => Promise<T>,
  onRetry: (attempt: number, error: unknown) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (e) {
      if (attempt >= READ_ATTEMPTS || !isTransient(e)) throw e;
      onRetry(attempt, e);
      await new Promise((ok) => setTimeout(ok, 50 * 2 ** attempt));
    }
  }
}

/** True unless S3 answered with a client error (no such key or version, access denied…). */
function isTransient(e: unknown): boolean {
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === undefined || status >= 500 || status === 408 || status === 429;
}

/**
 * Rollup refreshes of one operation, coalesced within this handler instance (its concurrent
 * batches): at most one runs and at most one waits. A caller joins the waiting refresh — it has
 * not started, so its Query will see the caller's writes — or queues one behind the running
 * refresh, whose Query may predate them. So every caller still settles only after a refresh
 * that began after its writes (the last batch always refreshes), while a burst of batches costs
 * two refreshes instead of one per batch. A failed refresh fails every caller that waited on it.
 */
function coalescedRefresh(refresh: (op: Operation) => Promise<unknown>): (op: Operation) => Promise<void> {
  const running = new Map<string, Promise<void>>();
  const waiting = new Map<string, Promise<void>>();
  const start = (op: Operation): Promise<void> => {
    waiting.delete(op.id);
    const run = refresh(op).then(() => undefined);
    running.set(op.id, run);
    const clear = () => {
      if (running.get(op.id) === run) running.delete(op.id);
    };
    run.then(clear, clear);
    return run;
  };
  return (op) => {
    const queued = waiting.get(op.id);
    if (queued) return queued;
    const current = running.get(op.id);
    if (!current) return start(op);
    const next = current.then(
      () => start(op),
      () => start(op),
    );
    waiting.set(op.id, next);
    return next;
  };
}
