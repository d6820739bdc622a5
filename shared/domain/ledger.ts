import type { Report } from './check-return.ts';
import type { Operation, OperationStatus } from './operation.ts';

/**
 * The ledger and the operation record as plain data: what every layer passes around. The
 * DynamoDB adapter stores them; the use cases and the API read them.
 */

/** Submission status as stored. `superseded` (and `failed` for a stuck entry) is derived on read (see `shownVerdict`). */
export type StoredStatus = 'processing' | 'accepted' | 'rejected' | 'failed';
export type SubmissionStatus = StoredStatus | 'superseded';

/** A ledger entry: one uploaded file and what became of it. */
export type Submission = {
  id: string;
  operation: string;
  country: string;
  key: string;
  /** The slot it came through, or null for a plain S3 put. */
  uploadId: string | null;
  size: number | null;
  sha256: string | null;
  receivedAt: string;
  processedAt: string | null;
  status: StoredStatus;
  orderKey: string;
  errors: number;
  warnings: number;
  reportKey: string | null;
  /** The first problems of the report (the full report is in S3 at reportKey). */
  summary: Pick<Report, 'verdict' | 'counts'> | null;
  failure: string | null;
  attempts: number;
  /** The S3 version id of the raw file (null in an unversioned store): evidence is key + version. */
  versionId?: string | null;
  /**
   * The inputs of the verdict that are not the file's bytes, fixed by the first attempt and reused
   * by every retry: the operation's status when S3 received the file, and the definition version.
   */
  judgedWith?: JudgedWith | null;
  /** When the latest attempt at it began: a `processing` entry is shown stuck after its window. */
  processingSince?: string | null;
};

/** What a file is judged with besides its bytes (see `Submission.judgedWith`). */
export type JudgedWith = { status: OperationStatus; definitionVersion: number };

/** One change of an operation's definition, as logged: who, when, which version, what changed. */
export type DefinitionChange = {
  version: number;
  at: string;
  by: string;
  /** The canonical definition's SHA-256: the archived copy is `definitions/{op}/{sha256}.json`. */
  sha256: string;
  changes: string[];
};

export type OperationRecord = {
  definition: Operation;
  /** 1 for the first definition, one more for each change (see `definitionLog`). */
  definitionVersion: number;
  definitionLog: DefinitionChange[];
  status: OperationStatus;
  statusLog: StatusChange[];
};

export type StatusChange = {
  at: string;
  from: OperationStatus | null;
  to: OperationStatus;
  by: string;
  reason: string;
};

/** An upload slot: where an agency may upload one return, and the sequence that orders it. */
export type UploadSlot = {
  uploadId: string;
  operation: string;
  country: string;
  seq: number;
  key: string;
  fileName: string;
  dryRun: boolean;
  createdAt: string;
  expiresAt: string;
  createdBy: string;
  maxBytes: number;
};

export type ApplyOutcome = 'applied' | 'duplicate' | 'superseded';
