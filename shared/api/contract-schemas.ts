/** The request and answer schemas the contract names (zod/mini), and the ledger query. */
import * as z from 'zod/mini';
import { OPERATION_STATUSES } from '../domain/operation.ts';
import type { ShownStatus } from '../domain/submission-view.ts';
import type * as R from './responses.ts';

/** `POST /operations/{op}/uploads`: the slot asked for. */
export const UploadRequest = z.object({
  fileName: z.optional(
    z.string().register(z.globalRegistry, {
      description: 'The file name, which gives its format (`.csv`, `.json`, `.xlsx`); default `return.csv`.',
    }),
  ),
  filename: z.optional(z.string().register(z.globalRegistry, { description: 'Same as `fileName`.' })),
  country: z.optional(
    z.string().register(z.globalRegistry, {
      description: "An admin names the country (ISO alpha-2); an agency's token names its own.",
    }),
  ),
  dryRun: z.optional(
    z.boolean().register(z.globalRegistry, {
      description: 'A dry-run slot: the file is checked (`POST …/validate?uploadId=`) but never counted.',
    }),
  ),
});

/** `POST /operations/{op}/status`: the status to move to. */
export const StatusRequest = z.object({
  status: z.enum(OPERATION_STATUSES),
  reason: z.optional(
    z.string().register(z.globalRegistry, { description: 'Why (required to reopen); logged.' }),
  ),
});

/** The error answer, for the OpenAPI document. */
export const ErrorBodySchema = z.object({
  error: z
    .string()
    .register(z.globalRegistry, { description: 'The error code (see the list in the description).' }),
  message: z.string().register(z.globalRegistry, { description: 'What went wrong and what to change.' }),
});

/** The slot's presigned POST, spelled out: systems that push returns automatically build on it. */
export const UploadSlotSchema = z.object({
  uploadId: z.string(),
  country: z.string(),
  key: z.string().register(z.globalRegistry, {
    description: 'Where the file lands: `incoming/{op}/{cc}/{uploadId}/{file name}`.',
  }),
  sequence: z.number(),
  dryRun: z.boolean(),
  maxBytes: z.number().register(z.globalRegistry, { description: 'The largest file the slot takes.' }),
  expiresAt: z.string().register(z.globalRegistry, { description: 'When the presigned POST expires.' }),
  operationStatus: z.enum(OPERATION_STATUSES),
  upload: z.object({
    method: z.literal('POST'),
    url: z.string(),
    fields: z.record(z.string(), z.string()).register(z.globalRegistry, {
      description: 'Send every field as a form field, then the file as the last field, named `file`.',
    }),
  }),
  receipt: z.string().register(z.globalRegistry, {
    description: 'Where to read the receipt and verdict: `/operations/{op}/uploads/{uploadId}`.',
  }),
});

/** The receipt of a slot's file: what storage received, as the server recorded it. */
export const UploadReceiptSchema = z.object({
  uploadId: z.string(),
  submissionId: z.string(),
  sha256: z.nullable(
    z.string().register(z.globalRegistry, { description: 'The SHA-256 of the bytes received (hex).' }),
  ),
  size: z.nullable(z.number()),
  receivedAt: z.string().register(z.globalRegistry, { description: 'When storage received the file.' }),
});

export const SHOWN_STATUSES = [
  'processing',
  'accepted',
  'rejected',
  'superseded',
  'failed',
] as const satisfies readonly ShownStatus[];

/** A submission as shown, in the parts a client relies on (more fields may come along). */
const SubmissionSchema = z.looseObject({
  id: z.string(),
  country: z.string(),
  key: z.string(),
  status: z.enum(SHOWN_STATUSES),
  failure: z.nullable(z.string()),
  errors: z.number(),
  warnings: z.number(),
});

/** `GET /operations/{op}/uploads/{uploadId}`, in the parts a system polling for its verdict reads. */
export const UploadStatusSchema = z.looseObject({
  upload: z.looseObject({ uploadId: z.string(), country: z.string(), key: z.string() }),
  state: z.enum(['waiting', 'received', 'abandoned']).register(z.globalRegistry, {
    description:
      '`waiting` for the file; `received`: storage holds it (see `receipt` and `submission`); `abandoned`: the slot expired an hour ago or more and no file arrived: nothing was stored, nothing counts, ask for a new slot.',
  }),
  stateReason: z.string().register(z.globalRegistry, { description: 'What the state means, in a sentence.' }),
  receipt: z.nullable(UploadReceiptSchema).register(z.globalRegistry, {
    description: 'Null until the file has landed.',
  }),
  submission: z.nullable(SubmissionSchema).register(z.globalRegistry, {
    description: 'The file that counts for the slot and its verdict; `processing` until checked.',
  }),
  submissions: z.array(SubmissionSchema),
});

/** What to ask the ledger for (the query of `API.ledger`): a country, a verdict, the page size and where to go on. */
export type LedgerQuery = {
  country?: string | null;
  verdict?: R.SubmissionStatus | 'abandoned' | null;
  limit?: number;
  cursor?: string | null;
};

/** A list of figures in the order of a metric's breakdown keys: null = not reported, 0 = reported zero. */
const BreakdownFiguresSchema = z
  .record(z.string(), z.array(z.nullable(z.number())))
  .register(z.globalRegistry, {
    description:
      'metric → its breakdown figures, in the order of `keys[metric]` (null = not reported, 0 = reported zero).',
  });

/** `RollupView.breakdowns` (see shared/domain/rollup-breakdowns.ts). */
export const RollupBreakdownsSchema = z.object({
  keys: z.record(z.string(), z.array(z.string())).register(z.globalRegistry, {
    description:
      'metric → its breakdown keys (`dimension=value`, e.g. `exploitation=forced_labour`), in the definition’s order; only metrics with breakdowns.',
  }),
  totals: BreakdownFiguresSchema,
  byRegion: z.record(z.string(), BreakdownFiguresSchema),
  byCountry: z.record(z.string(), BreakdownFiguresSchema).register(z.globalRegistry, {
    description: 'The reporting countries (those of `byCountry`), by ISO code.',
  }),
});

/**
 * `GET /operations/{op}/rollup`, in the parts the contract spells out (more fields come along: see
 * `RollupView`).
 */
export const RollupViewSchema = z.looseObject({
  operation: z.string(),
  version: z.number(),
  updatedAt: z.nullable(z.string()),
  status: z.enum(OPERATION_STATUSES),
  totals: z.record(z.string(), z.nullable(z.number())),
  breakdowns: z.optional(RollupBreakdownsSchema).register(z.globalRegistry, {
    description:
      'Each metric’s breakdowns globally, by region and by country: summed like the totals (a gauge: the sum of the country peaks). Absent from a version stored before rollups carried them.',
  }),
});
