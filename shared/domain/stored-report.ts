import { DEFAULT_LOCALE, type Locale } from '../i18n/locale.ts';
import { renderTextReport } from '../i18n/text-report.ts';
import type { CheckedReturn } from './check-return.ts';
import type { ApplyOutcome, Submission } from './ledger.ts';
import type { Operation } from './operation.ts';

/** Changes whenever a change of the checks could change a verdict (recorded with every report). */
export const VALIDATOR_VERSION = '1';

/**
 * The receipt, report and (when accepted) full figures stored for every submission at
 * `reports/{op}/{cc}/{id}.json`: one S3 write per upload, readable by auditors without DynamoDB.
 * Its problems are stored as data (code, variant, parameters, and the English text), so a report
 * written today reads in any language tomorrow (`storedReportText`).
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

/**
 * A stored report as text in `locale` (English by default), with its file's name, submission id,
 * hash and size; given its `operation`, the operation's name reads as the definition translates it. Reports stored before problems carried parameters still render: each of their
 * problems reads as the English text stored with it.
 */
export function storedReportText(
  stored: StoredReport,
  locale: Locale = DEFAULT_LOCALE,
  operation?: Pick<Operation, 'name' | 'names'>,
): string {
  const { submission } = stored;
  return renderTextReport(stored.report, locale, {
    fileName: submission.key.slice(submission.key.lastIndexOf('/') + 1),
    submissionId: submission.id,
    sha256: submission.sha256,
    size: submission.size,
    operation,
  });
}
