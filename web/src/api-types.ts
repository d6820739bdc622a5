/**
 * The types the dashboard reads the API with: the API contract's (shared/api/responses.ts), under
 * the names the views use. Nothing here restates an answer's shape.
 */
import type { LedgerQuery as LedgerQueryOf } from '../../shared/api/contract.ts';
import type { Report, SubmissionView } from '../../shared/api/responses.ts';
import type { Operation } from '../../shared/domain/operation.ts';

export type {
  FinalExport,
  LedgerEntry,
  LedgerPage,
  LocalTokens,
  Manifest,
  OperationDetail,
  OperationStatus,
  OperationSummary,
  PublicKey,
  RollupBreakdowns,
  RollupView,
  SubmissionStatus,
} from '../../shared/api/responses.ts';
export type { Provenance } from '../../shared/domain/final-export.ts';
export type { FinalFormat } from '../../shared/domain/final-files.ts';
export type { Problem } from '../../shared/domain/problems.ts';

/** A participant as the page shows it. */
export type Participant = Operation['participants'][number];

/** One line of a country's submission ledger. */
export type Submission = SubmissionView;

/** The validation report of one submission (null while it is being checked). */
export type SubmissionReport = Report;

/** What to ask the ledger for: a country, a verdict (status), the page size and where to go on. */
export type LedgerQuery = LedgerQueryOf;
