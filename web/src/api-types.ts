import type { Report } from '../../shared/domain/check-return.ts';
import type { Operation, OperationStatus } from '../../shared/domain/operation.ts';
import type { Problem } from '../../shared/domain/problems.ts';
import type { RollupView } from '../../shared/domain/rollup.ts';

export type { OperationStatus, Problem, RollupView };

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
