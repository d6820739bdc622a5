import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Repository } from '../../shared/adapters/repository.ts';
import type { Submission } from '../../shared/domain/ledger.ts';

/** The ingest's metrics (namespace `optally`, dimension `service` = `optally-ingest`). */
export const INGEST_METRICS = {
  /** Uploads whose verdict was recorded as accepted (their figures count). */
  accepted: 'UploadsAccepted',
  /** Uploads whose verdict was recorded as rejected (a report says why). */
  rejected: 'UploadsRejected',
  /** Uploads recorded as failed: their last delivery failed, the message goes to the DLQ. */
  failed: 'UploadsFailed',
  /** Rows of the judged files (accepted and rejected). */
  rowsRead: 'RowsRead',
  /** From S3 receiving the file (its event time) to its verdict recorded, figures applied if accepted. */
  lagMs: 'UploadLag',
  /** Rollups recomputed after a batch applied or re-checked uploads. */
  rollupRefreshes: 'RollupRefreshes',
  /** Rollup recomputations that failed (their messages are retried). */
  rollupRefreshFailures: 'RollupRefreshFailures',
} as const;

/**
 * The repository the ingest Lambda writes through: it records a metric for every verdict it
 * stores (rollup refreshes are counted by `recordRefresh`). The ledger write is the one place where the end of every
 * upload is recorded — accepted, rejected, or failed on its last attempt — once, so the use case
 * itself stays free of metrics. A retry that only finishes an earlier attempt's ledger entry
 * counts it then (the earlier attempt stored no verdict).
 */
export class MeteredRepository extends Repository {
  constructor(
    db: DynamoDBDocumentClient,
    table: string,
    private readonly metrics: Metrics,
  ) {
    super(db, table);
  }

  override async finishSubmission(sub: Submission): Promise<void> {
    await super.finishSubmission(sub);
    recordVerdict(this.metrics, sub);
  }

  override async finishSubmissions(subs: readonly Submission[]): Promise<void> {
    await super.finishSubmissions(subs);
    for (const sub of subs) recordVerdict(this.metrics, sub);
  }
}

/** Counts each rollup refresh of the ingest, and each that failed (its messages are retried). */
export function recordRefresh(metrics: Metrics): (outcome: 'refreshed' | 'failed') => void {
  return (outcome) =>
    metrics.addMetric(
      outcome === 'refreshed' ? INGEST_METRICS.rollupRefreshes : INGEST_METRICS.rollupRefreshFailures,
      MetricUnit.Count,
      1,
    );
}

/** The metrics of one recorded verdict. */
export function recordVerdict(metrics: Metrics, sub: Submission): void {
  switch (sub.status) {
    case 'accepted':
    case 'rejected': {
      metrics.addMetric(INGEST_METRICS[sub.status], MetricUnit.Count, 1);
      if (sub.summary) metrics.addMetric(INGEST_METRICS.rowsRead, MetricUnit.Count, sub.summary.counts.rows);
      const lag = Date.parse(sub.processedAt ?? '') - Date.parse(sub.receivedAt);
      if (Number.isFinite(lag))
        metrics.addMetric(INGEST_METRICS.lagMs, MetricUnit.Milliseconds, Math.max(0, lag));
      return;
    }
    case 'failed':
      metrics.addMetric(INGEST_METRICS.failed, MetricUnit.Count, 1);
      return;
    case 'processing':
      return;
    default: {
      const unknown: never = sub.status;
      throw new Error(`finishSubmission got status ${String(unknown)}`);
    }
  }
}
