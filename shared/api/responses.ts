/**
 * The shapes of the API's answers: declared once, here. The route handlers build them (checked with
 * `satisfies`), the contract names one per route, and the web dashboard, the CLI and the tests read
 * them from here. Types only: nothing of this module reaches a bundle.
 */
import type * as z from 'zod/mini';
import type { SlotState } from '../app/create-slot.ts';
import type { CutoffRun, NotificationRecord } from '../app/notify.ts';
import type { CheckedReturn, Report } from '../domain/check-return.ts';
import type { CountryFigures } from '../domain/checks/figures.ts';
import type { Manifest } from '../domain/final-export.ts';
import type { OperationRecord, UploadSlot as StoredSlot, Submission } from '../domain/ledger.ts';
import type { Operation, OperationStatus } from '../domain/operation.ts';
import type { RollupBreakdowns, RollupView } from '../domain/rollup.ts';
import type { RollupHistoryEntry } from '../domain/rollup-history.ts';
import type { SdmxStructureMessage } from '../domain/sdmx-structure.ts';
import type { ManifestSignature } from '../domain/signature.ts';
import type { ShownVerdict } from '../domain/submission-view.ts';
import type { UploadReceiptSchema, UploadSlotSchema } from './contract.ts';
import type { FiguresSummary } from './figures-detail.ts';

export type { SlotState } from '../app/create-slot.ts';
export type { ErrorBody } from './errors.ts';
export type { FiguresDetail, FiguresSummary } from './figures-detail.ts';
/** `RollupView.breakdowns`: each metric's breakdowns, globally, by region and by country. */
export type { Manifest, ManifestSignature, Operation, OperationStatus, Report, RollupBreakdowns, RollupView };

/** `GET /health`. */
export type Health = { ok: true; service: 'optally' };

/** One entry of `GET /operations`. */
export type OperationSummary = {
  id: string;
  name: string;
  window: Operation['window'];
  /** How many countries take part. */
  participants: number;
  status: OperationStatus;
};

/** `GET /operations`. */
export type OperationList = { operations: OperationSummary[] };

/** `GET /operations/{op}`: the definition, its change log, and where the lifecycle stands. */
export type OperationDetail = Pick<
  OperationRecord,
  'definition' | 'definitionVersion' | 'definitionLog' | 'status' | 'statusLog'
>;

/** `GET /operations/{op}/rollup/history`: one page of the rollup's timeline, oldest first. */
export type RollupHistoryPage = { versions: Omit<RollupHistoryEntry, 'key'>[]; cursor: string | null };

/** `GET /operations/{op}/countries/{cc}` before the country's first accepted return. */
export type UnreportedCountry = { country: string; name: string; region: string; reported: false };

/** What every reported country's answer carries, whatever the detail asked for. */
type ReportedCountryBase = Omit<UnreportedCountry, 'reported'> & {
  reported: true;
  submissionId: string;
  receivedAt: string;
  acceptedAt: string;
  firstAcceptedAt: string;
  totals: CountryFigures['totals'];
  byDay: CountryFigures['byDay'];
};

/**
 * `GET /operations/{op}/countries/{cc}`: the figures of the country's latest accepted return —
 * with its breakdowns (`figuresDetail: 'full'`, the default) or without (`?figures=summary`).
 */
export type ReportedCountry =
  | (ReportedCountryBase & {
      figuresDetail: 'full';
      byBreakdown: CountryFigures['byBreakdown'];
      byDayBreakdown: CountryFigures['byDayBreakdown'] | Record<string, never>;
    })
  | (ReportedCountryBase & { figuresDetail: 'summary' });

/** `GET /operations/{op}/countries/{cc}`: "not reported" is not "reported 0". */
export type CountryView = UnreportedCountry | ReportedCountry;

/** The status a submission is shown with (`superseded`, `failed` derived; see `ShownVerdict`). */
export type SubmissionStatus = ShownVerdict['status'];

/**
 * A submission as the API shows it: status derived (`ShownVerdict`), order key and summary left
 * out. The ledger's bookkeeping (operation, report key, attempts, S3 version, what it was judged
 * with) comes along; clients need not rely on it.
 */
export type SubmissionView = Pick<
  Submission,
  | 'id'
  | 'country'
  | 'key'
  | 'uploadId'
  | 'size'
  | 'sha256'
  | 'receivedAt'
  | 'processedAt'
  | 'errors'
  | 'warnings'
> &
  Partial<
    Pick<Submission, 'operation' | 'reportKey' | 'attempts' | 'versionId' | 'judgedWith' | 'processingSince'>
  > &
  ShownVerdict;

/** `GET /operations/{op}/submissions`: one page; follow `cursor` until it is null. */
export type SubmissionPage = { submissions: SubmissionView[]; cursor: string | null };

/**
 * `GET /operations/{op}/submissions/{id}`: the submission and its report (null while checked);
 * with `?figures=summary`, also the totals and per-day figures the file gave (null when none).
 */
export type SubmissionDetail = {
  submission: SubmissionView;
  report: Report | null;
  figures?: FiguresSummary | null;
};

/** The presigned POST a file is sent with: every field, then the file as the last part `file`. */
export type PresignedUpload = UploadSlot['upload'];

/**
 * `POST /operations/{op}/uploads` (201): an upload slot. Declared by its schema (`UploadSlotSchema`,
 * which the OpenAPI document spells out for systems that push returns).
 */
export type UploadSlot = z.infer<typeof UploadSlotSchema>;

/** What the server recorded of the file sent through a slot (`UploadReceiptSchema`). */
export type UploadReceipt = z.infer<typeof UploadReceiptSchema>;

/** `GET /operations/{op}/uploads/{uploadId}`: the slot, and once its file landed the receipt and verdict. */
export type UploadStatus = {
  upload: StoredSlot;
  /**
   * `waiting` for the file, `received` (storage holds it), or `abandoned`: the slot expired and no
   * file arrived, so nothing was stored and nothing counts (see `SlotState`).
   */
  state: SlotState;
  /** What the state means for the sender, in a sentence. */
  stateReason: string;
  receipt: UploadReceipt | null;
  submission: SubmissionView | null;
  /** Every file sent to the slot (a replayed POST shows here, rejected `slot-already-used`). */
  submissions: SubmissionView[];
};

/**
 * `POST /operations/{op}/validate`: the report and figures the file would give; nothing counted.
 * The figures come with their breakdowns (`figuresDetail: 'full'`, the default) or without
 * (`?figures=summary`); null when the file would be rejected.
 */
export type DryRunResult = {
  dryRun: true;
  country: string;
  fileName: string;
  report: Report;
} & (
  | { figuresDetail: 'full'; figures: CheckedReturn['figures'] }
  | { figuresDetail: 'summary'; figures: FiguresSummary | null }
);

/** `POST /operations/{op}/status`: the new status and its log. */
export type StatusChangeResult = {
  operation: string;
  status: OperationStatus;
  reopening: boolean;
  statusLog: OperationRecord['statusLog'];
  /** The frozen manifest's digest, once final. */
  manifestSha256?: string;
};

/** One entry of the ledger: a submission and what became of it. */
export type LedgerEntry = SubmissionView & {
  /** The submission that replaced this accepted one (status `superseded`), else null. */
  supersededBy: string | null;
};

/**
 * An upload slot that was never used: it expired (an hour ago or more) and storage holds no file
 * of it. Nothing was stored and nothing counts; it is not a submission (no leaf of the ledger tree).
 */
export type AbandonedUpload = Pick<
  StoredSlot,
  'uploadId' | 'country' | 'key' | 'fileName' | 'createdAt' | 'expiresAt' | 'createdBy'
> & { status: 'abandoned'; reason: string };

/**
 * `GET /operations/{op}/ledger`: one page; follow `cursor` until it is null. With
 * `verdict=abandoned`, the page is of upload slots: `entries` is empty and `abandoned` lists those
 * never used.
 */
export type LedgerPage = {
  operation: string;
  entries: LedgerEntry[];
  abandoned?: AbandonedUpload[];
  cursor: string | null;
};

/** `GET /operations/{op}/final?format=json`: the manifest, its digest, and (once final) its signature. */
export type FinalExport = { manifestSha256: string; manifest: Manifest; signature?: ManifestSignature };

/** `GET /operations/{op}/final` answered `303`: where a large export is, for clients that do not follow. */
export type ExportLink = { location: string; expiresInSeconds: number; manifestSha256: string };

/** `GET /operations/{op}/final/public-key`: the key final manifests are signed with, as PEM and JWK. */
export type PublicKey = {
  operation: string;
  algorithm: ManifestSignature['algorithm'];
  keyId: string;
  pem: string;
  jwk: JsonWebKey;
};

/** `GET /operations/{op}/uploads/{uploadId}/proof`: the inclusion proof and the signed root it leads to. */
export type { UploadProof } from '../app/final-proof.ts';

/** `GET /operations/{op}/final/structure`: the SDMX-JSON structure message of the SDMX-CSV export. */
export type FinalStructure = SdmxStructureMessage;

export type { CutoffRun, NotificationRecord, PlannedMessage } from '../app/notify.ts';

/**
 * `POST /operations/{op}/reminders`: each cut-off handled with the messages it planned (recipient,
 * language, subject, text) and, summed over them, how many were queued, sent and failed (all 0 in
 * a preview, which records and sends nothing).
 */
export type RemindersResult = {
  operation: string;
  preview: boolean;
  runs: CutoffRun[];
  queued: number;
  sent: number;
  failed: number;
};

/** `GET /operations/{op}/notifications`: one page of the outbox, newest first. */
export type NotificationPage = {
  operation: string;
  notifications: NotificationRecord[];
  cursor: string | null;
};

/**
 * `GET /local/tokens` — served by the local stack's gateway only (not a route of the API): the
 * ready-made tokens of the local stack.
 */
export type LocalTokens = {
  coordinator: string;
  auditor: string;
  admin: string;
  agencies: Record<string, string>;
};
