import type { Report } from '../../shared/domain/check-return.ts';
import type { Manifest, Provenance } from '../../shared/domain/final-export.ts';
import type { Operation, OperationStatus } from '../../shared/domain/operation.ts';
import type { Problem } from '../../shared/domain/problems.ts';
import type { RollupView } from '../../shared/domain/rollup.ts';
import type { ManifestSignature } from '../../shared/domain/signature.ts';

export type { Manifest, OperationStatus, Problem, Provenance, RollupView };

/** One entry of `GET /operations`. */
export type OperationSummary = {
  id: string;
  name: string;
  window: { start: string; end: string };
  status: OperationStatus;
};

/** `GET /operations/{op}`: the definition file and where the operation is in its lifecycle. */
export type OperationDetail = { definition: Operation; status: OperationStatus };

/** A participant as the page shows it. */
export type Participant = Operation['participants'][number];

export type SubmissionStatus = 'processing' | 'accepted' | 'rejected' | 'superseded' | 'failed';

/** One line of a country's submission ledger. */
export type Submission = {
  id: string;
  country: string;
  key: string;
  size: number | null;
  sha256: string | null;
  receivedAt: string;
  processedAt: string | null;
  status: SubmissionStatus;
  errors: number;
  warnings: number;
};

/** The validation report of one submission (null while it is being checked). */
export type SubmissionReport = Report;

/** `GET /local/tokens`: ready-made tokens the local stack offers (absent when deployed). */
export type LocalTokens = {
  coordinator: string;
  auditor: string;
  admin: string;
  agencies: Record<string, string>;
};

/** `GET /operations/{op}/final?format=json`: the manifest the final figures follow from, and its digest. */
export type FinalExport = { manifestSha256: string; manifest: Manifest; signature?: ManifestSignature };

/** The key final manifests are signed with (GET /operations/{op}/final/public-key, public). */
export type PublicKey = { algorithm: string; keyId: string; pem: string };

/** The formats of the final export. */
export type FinalFormat = 'json' | 'csv' | 'sdmx-csv';

/** One entry of the submission ledger (auditors, admins): a submission and what became of it. */
export type LedgerEntry = Submission & {
  uploadId: string | null;
  /** Why processing failed (status `failed`), else null. */
  failure: string | null;
  /** The submission that replaced this accepted one (status `superseded`), else null. */
  supersededBy: string | null;
};

/** `GET /operations/{op}/ledger`: one page; follow `cursor` until it is null. */
export type LedgerPage = { operation: string; entries: LedgerEntry[]; cursor: string | null };

/** What to ask the ledger for: a country, a verdict (status), the page size and where to go on. */
export type LedgerQuery = {
  country?: string | null;
  verdict?: SubmissionStatus | null;
  limit?: number;
  cursor?: string | null;
};
