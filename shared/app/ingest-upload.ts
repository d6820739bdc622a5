import type { ObjectStore } from '../adapters/objects.ts';
import type { Repository } from '../adapters/repository.ts';
import { type CheckedReturn, ReturnChecker } from '../domain/check-return.ts';
import type { ApplyOutcome, JudgedWith, OperationRecord, Submission } from '../domain/ledger.ts';
import { statusAt } from '../domain/lifecycle.ts';
import type { Operation } from '../domain/operation.ts';
import { type Problem, problem } from '../domain/problems.ts';
import { formatOf, readReturn } from '../domain/read-return.ts';
import type { CountryState } from '../domain/rollup.ts';
import { reportKey, type StoredReport, VALIDATOR_VERSION } from '../domain/stored-report.ts';
import {
  type ObjectCreated,
  orderKeyOf,
  parseIncomingKey,
  submissionId,
  type UploadAddress,
} from '../domain/uploads.ts';
import { definitionOfVersion } from './define-operation.ts';
import { hashing, readWithRetries } from './read-object.ts';

export type IngestStores = {
  repo: Pick<Repository, 'startSubmission' | 'getCountry' | 'applyCountry' | 'finishSubmission'>;
  objects: Pick<ObjectStore, 'open' | 'firstVersion' | 'putJson' | 'getJson'>;
};

/** One delivery of an object-created event. */
export type Delivery = {
  /** How many times the queue has delivered this message (1 the first time). */
  attempts: number;
  /** The queue's maxReceiveCount: on the last attempt a failure is recorded as `failed`. */
  maxReceives: number;
  now: () => Date;
  log: (entry: Record<string, unknown>) => void;
  /** The operation record (read once per batch by the handler). */
  operation: (id: string) => Promise<OperationRecord | null>;
  /** A country's current figures (the handler reads those of a whole batch in one request). */
  country: (op: string, country: string) => Promise<CountryState | null>;
  /**
   * Records a verdict in the ledger. The handler writes a batch's verdicts together once every
   * message is judged (the report is stored before); a crash before that leaves the submissions
   * `processing`, and their redelivery finishes them with the same verdict.
   */
  finish: (sub: Submission) => void;
};

/**
 * Ingests one uploaded object: records the submission, judges the file, applies accepted figures,
 * stores the report and the verdict. Returns the id of the operation whose figures may have
 * changed, or null when the object is not a return of a known operation.
 *
 * The verdict is decided once (invariant 2): it is a pure function of the file's bytes (its key
 * and S3 version id), the definition and the operation's status at the time S3 received it — both
 * fixed by the first attempt in the submission record — and its order key. A retry judges it
 * identically, and a retry that finds the country's figures already holding this submission only
 * finishes the ledger entry as accepted.
 */
export async function ingestUpload(
  stores: IngestStores,
  created: ObjectCreated,
  delivery: Delivery,
): Promise<string | null> {
  const { repo } = stores;
  const { log } = delivery;
  const address = parseIncomingKey(created.key);
  if (!address) {
    log({ level: 'warn', msg: 'ignored: not an incoming return key', key: created.key });
    return null;
  }
  const record = await delivery.operation(address.operation);
  if (!record) {
    log({ level: 'warn', msg: 'ignored: unknown operation', key: created.key });
    return null;
  }
  const op = record.definition.id;
  const id = submissionId(address.country, created);
  const base: Submission = {
    id,
    operation: op,
    country: address.country,
    key: created.key,
    versionId: created.versionId,
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
    attempts: delivery.attempts,
    // A stuck entry is judged from when its latest attempt began (a DLQ redrive starts it anew).
    processingSince: delivery.now().toISOString(),
  };
  const judgedWith = await repo.startSubmission(base, {
    status: statusAt(record.statusLog, created.eventTime, record.status),
    definitionVersion: record.definitionVersion,
  });
  if (!judgedWith) {
    log({ level: 'info', msg: 'duplicate event: already processed', submission: id });
    return op;
  }
  const submission: Submission = { ...base, judgedWith };
  try {
    const definition = await definitionOfVersion(stores.objects, record, judgedWith.definitionVersion);
    const current = await delivery.country(op, address.country);
    if (current?.submissionId === id) {
      log({ level: 'info', msg: 'applied by an earlier attempt: finishing', submission: id });
      await finishApplied(stores, submission, definition, address, current, delivery);
      return op;
    }
    const judged = await judge(stores, submission, address, definition, judgedWith, current, log);
    const processedAt = delivery.now().toISOString();
    let outcome: ApplyOutcome | null = null;
    if (judged.checked.figures) {
      outcome = await repo.applyCountry(op, {
        country: address.country,
        figures: figuresAsStored(judged.checked.figures),
        submissionId: id,
        orderKey: submission.orderKey,
        receivedAt: created.eventTime,
        acceptedAt: processedAt,
      });
      log({ level: 'info', msg: 'return accepted', submission: id, outcome });
    } else {
      log({
        level: 'info',
        msg: 'return rejected',
        submission: id,
        errors: judged.checked.report.counts.errors,
      });
    }
    await recordVerdict(
      stores,
      { ...submission, ...judged.receipt },
      judged.checked,
      processedAt,
      outcome,
      delivery.finish,
    );
    return op;
  } catch (e) {
    if (delivery.attempts >= delivery.maxReceives) await lastAttemptFailed(stores, submission, e, delivery);
    throw e;
  }
}

/** The figures kept in the country item (the rows and the day × breakdown detail stay in the report). */
export function figuresAsStored(figures: NonNullable<CheckedReturn['figures']>): CountryState['figures'] {
  const { byDayBreakdown: _detail, rows: _rows, ...kept } = figures;
  return kept;
}

/** Reads the file (by key and version id) and judges it with the inputs fixed at the first attempt. */
async function judge(
  stores: IngestStores,
  submission: Submission,
  address: UploadAddress,
  definition: Operation,
  judgedWith: JudgedWith,
  current: CountryState | null,
  log: Delivery['log'],
): Promise<{ checked: CheckedReturn; receipt: { sha256: string; size: number } }> {
  const pre = preChecks(definition, judgedWith, address);
  if (pre.length === 0 && (await slotAlreadyUsed(stores, submission, address))) {
    pre.push(
      problem(
        'slot-already-used',
        { column: 'key', value: address.uploadId ?? '' },
        { uploadId: address.uploadId ?? '' },
      ),
    );
  }
  return readWithRetries(
    async () => {
      const object = await stores.objects.open(submission.key, submission.versionId);
      const hashed = hashing(object.body);
      const checked =
        pre.length > 0
          ? rejectWith(definition, address.country, pre)
          : await readReturn(hashed.source, formatOf(address.name)!, {
              operation: definition,
              country: address.country,
              previous: current?.figures ?? null,
            });
      return { checked, receipt: await hashed.finish() };
    },
    (attempt, error) =>
      log({
        level: 'warn',
        msg: 'S3 read failed; reading again',
        key: submission.key,
        attempt,
        error: String(error),
      }),
  );
}

/**
 * Whether this object is a second file sent through one upload slot. In a versioned bucket the
 * slot's file is the first version stored at its key — a fact of S3's history, the same for every
 * retry whatever order events arrive in. (The local S3 API keeps one version and refuses a second
 * file at a slot's key itself.)
 */
async function slotAlreadyUsed(
  stores: IngestStores,
  submission: Pick<Submission, 'key' | 'versionId'>,
  address: UploadAddress,
): Promise<boolean> {
  if (!address.uploadId || !submission.versionId) return false;
  const first = await stores.objects.firstVersion(submission.key);
  return first !== null && first !== submission.versionId;
}

/** Stores the report (S3, for auditors and `rebuild`), then hands the verdict to the ledger. */
async function recordVerdict(
  stores: IngestStores,
  submission: Submission,
  checked: CheckedReturn,
  processedAt: string,
  outcome: ApplyOutcome | null,
  finish: Delivery['finish'],
): Promise<void> {
  const key = reportKey(submission.operation, submission.country, submission.id);
  const stored: StoredReport = {
    submission: {
      id: submission.id,
      operation: submission.operation,
      country: submission.country,
      key: submission.key,
      versionId: submission.versionId ?? null,
      uploadId: submission.uploadId,
      size: submission.size,
      sha256: submission.sha256,
      receivedAt: submission.receivedAt,
      orderKey: submission.orderKey,
      judgedWith: submission.judgedWith ?? null,
    },
    processedAt,
    validatorVersion: VALIDATOR_VERSION,
    report: checked.report,
    figures: checked.figures,
    outcome,
  };
  // Written after the apply, with its outcome: `optally rebuild` restores DynamoDB from these alone.
  await stores.objects.putJson(key, stored);
  finish({
    ...submission,
    processedAt,
    status: checked.report.verdict,
    errors: checked.report.counts.errors,
    warnings: checked.report.counts.warnings,
    reportKey: key,
    summary: { verdict: checked.report.verdict, counts: checked.report.counts },
  });
}

/**
 * The country's figures already hold this submission (an earlier attempt applied it and stopped
 * before the ledger said so): the verdict was accepted and stays so. The stored report is reused;
 * if it was never written, it is made again from the same bytes and inputs.
 */
async function finishApplied(
  stores: IngestStores,
  submission: Submission,
  definition: Operation,
  address: UploadAddress,
  current: CountryState,
  delivery: Delivery,
): Promise<void> {
  const key = reportKey(submission.operation, submission.country, submission.id);
  const stored = await stores.objects.getJson<StoredReport>(key);
  if (stored) {
    delivery.finish({
      ...submission,
      size: stored.submission.size,
      sha256: stored.submission.sha256,
      processedAt: stored.processedAt,
      status: 'accepted',
      errors: stored.report.counts.errors,
      warnings: stored.report.counts.warnings,
      reportKey: key,
      summary: { verdict: stored.report.verdict, counts: stored.report.counts },
    });
    return;
  }
  const judged = await judge(
    stores,
    submission,
    address,
    definition,
    submission.judgedWith!,
    null,
    delivery.log,
  );
  if (judged.checked.report.verdict !== 'accepted') {
    throw new Error(
      `submission ${submission.id} counts, yet its file is now judged ${judged.checked.report.verdict}`,
    );
  }
  await recordVerdict(
    stores,
    { ...submission, ...judged.receipt },
    judged.checked,
    current.acceptedAt,
    'applied',
    delivery.finish,
  );
}

/**
 * The last delivery failed: the message goes to the DLQ next. The ledger must still tell the
 * truth: a submission whose figures count is accepted; any other is `failed`, with the reason.
 */
async function lastAttemptFailed(
  stores: IngestStores,
  submission: Submission,
  error: unknown,
  delivery: Delivery,
): Promise<void> {
  const processedAt = delivery.now().toISOString();
  try {
    const current = await stores.repo.getCountry(submission.operation, submission.country);
    const counted = current?.submissionId === submission.id;
    await stores.repo.finishSubmission({
      ...submission,
      status: counted ? 'accepted' : 'failed',
      failure: counted
        ? `its figures count, but the report could not be stored: ${String(error)}`
        : String(error),
      processedAt,
    });
  } catch {
    // The store is down too: the entry stays `processing`, which the ledger shows as stuck.
  }
}

/** Problems that reject a file before its content is read. */
function preChecks(op: Operation, judgedWith: JudgedWith, address: UploadAddress): Problem[] {
  const problems: Problem[] = [];
  const { country, name } = address;
  if (!op.participants.some((p) => p.code === country)) {
    problems.push(
      problem(
        'unknown-country',
        { column: 'key', value: country },
        { country, operation: op.name, operationId: op.id },
      ),
    );
  }
  if (judgedWith.status !== 'open') {
    problems.push(
      problem(
        'operation-not-open',
        { value: judgedWith.status },
        { operation: op.name, status: judgedWith.status },
      ),
    );
  }
  if (formatOf(name) === null) {
    problems.push(problem('unsupported-format.extension', { column: 'key', value: name }, { name }));
  }
  return problems;
}

function rejectWith(op: Operation, country: string, problems: Problem[]): CheckedReturn {
  const checker = new ReturnChecker({ operation: op, country });
  for (const p of problems) checker.fileProblem(p);
  return checker.finish();
}
