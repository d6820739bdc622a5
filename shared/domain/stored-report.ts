import type { CheckedReturn } from './check-return.ts';
import type { ApplyOutcome, Submission } from './ledger.ts';

/** Changes whenever a change of the checks could change a verdict (recorded with every report). */
export const VALIDATOR_VERSION = '1';

/**
 * The receipt, report and (when accepted) full figures stored for every submission at
 * `reports/{op}/{cc}/{id}.json`: one S3 write per upload, readable by auditors without DynamoDB.
 */
export type StoredReport = {
  submission: Pick<
    Submission,
    'id' | 'operation' | 'country' | 'key' | 'uploadId' | 'size' | 'sha256' | 'receivedAt' | 'orderKey'
  > &
    Partial<Pick<Submission, 'versionId' | 'judgedWith'>>;
  processedAt: string;
  validatorVersion: string;
  report: CheckedReturn['report'];
  figures: CheckedReturn['figures'];
  /** What applying the figures did: `applied`, `duplicate` (applied by an earlier attempt), `superseded`; null when rejected. */
  outcome: ApplyOutcome | null;
};

/** Where a submission's receipt, report and figures are stored. */
export function reportKey(op: string, country: string, id: string): string {
  return `reports/${op}/${country}/${id}.json`;
}
