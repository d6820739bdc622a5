/**
 * The API contract: every route of the optally HTTP API, declared once — method, path, who may
 * call it, the request's query and body schemas (zod/mini, small enough for the Lambda), the answer
 * type and the error codes. The api function's router serves exactly these routes, the CDK app
 * registers them, the OpenAPI document is built from them, and the web dashboard and the CLI call
 * them through the one client (`client.ts`).
 */
import * as z from 'zod/mini';
import { OPERATION_STATUSES } from '../domain/operation.ts';
import type { Role } from '../domain/policy.ts';
import type { ShownStatus } from '../domain/submission-view.ts';
import type { ApiErrorCode } from './errors.ts';
import { FIGURES_DETAILS } from './figures-detail.ts';
import type * as R from './responses.ts';

export type ApiMethod = 'GET' | 'POST';

/** A query schema: an object of optional strings (every query value arrives as a string). */
export type QuerySchema = z.ZodMiniObject<Record<string, z.ZodMiniOptional<z.ZodMiniType<string, string>>>>;

/** A JSON request body, checked against `schema`; a body that fails it is answered `invalid`. */
export type JsonBody = {
  kind: 'json';
  schema: z.ZodMiniObject;
  /** The error code of a body that does not match the schema. */
  invalid: ApiErrorCode;
};

/** A request body taken as bytes (a return file), in one of `contentTypes`. */
export type RawBody = { kind: 'raw'; contentTypes: readonly string[]; description: string };

/** One successful answer of a route. */
export type Success = {
  status: 200 | 201 | 303 | 304;
  /** Media types (without parameters), the first the default; none for a body-less answer. */
  contentTypes: readonly string[];
  description: string;
  /** A schema of the JSON answer, when the contract spells it out (else the type alone). */
  schema?: z.ZodMiniType;
};

/** The names of a path's parameters: `'/operations/{op}/countries/{cc}'` → `'op' | 'cc'`. */
export type PathParamNames<P extends string> = P extends `${string}{${infer N}}${infer Rest}`
  ? N | PathParamNames<Rest>
  : never;

/** One route of the API. `Res` is the type of its JSON answer (a type only: nothing at run time). */
export type RouteContract<
  P extends string = string,
  Q extends QuerySchema | undefined = QuerySchema | undefined,
  B extends JsonBody | RawBody | undefined = JsonBody | RawBody | undefined,
  Res = unknown,
> = {
  /** A unique name (the OpenAPI operationId). */
  readonly name: string;
  readonly method: ApiMethod;
  /** API Gateway path syntax: `{name}` is a path parameter. */
  readonly path: P;
  /** Whether the route needs a bearer token (false: public, like /health). */
  readonly auth: boolean;
  /** The roles that may call it at all; the policy (shared/domain/policy.ts) narrows agencies to their country. */
  readonly roles: readonly Role[];
  readonly tag: 'service' | 'operations' | 'returns' | 'audit' | 'final';
  readonly summary: string;
  readonly description?: string;
  /** What each path parameter is. */
  readonly params: Readonly<Record<PathParamNames<P>, string>>;
  readonly query: Q;
  readonly body: B;
  readonly success: readonly Success[];
  /** The error codes the route may answer with (`unauthorized`/`forbidden` included when `auth`). */
  readonly errors: readonly ApiErrorCode[];
  /** The JSON answer's type, for clients: never set. */
  readonly response?: Res;
};

/** Any route of the contract. */
// biome-ignore lint/suspicious/noExplicitAny: the answer type varies by route
export type AnyRoute = RouteContract<string, QuerySchema | undefined, JsonBody | RawBody | undefined, any>;

/** The JSON answer type of a route. */
export type ResponseOf<C> = C extends RouteContract<string, infer _Q, infer _B, infer Res> ? Res : never;

/** The `METHOD /path` key of a route (as API Gateway names it). */
export function routeKeyOf(route: Pick<AnyRoute, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

const ALL_ROLES: readonly Role[] = ['agency', 'coordinator', 'auditor', 'admin'];
const JSON_TYPE = 'application/json';

/**
 * Declares one route answering `Res`: `route<Res>()({ … })`. Authenticated routes may answer
 * `unauthorized` and `forbidden` as well as the errors listed.
 */
export function route<Res>() {
  return <
    const P extends string,
    Q extends QuerySchema | undefined = undefined,
    B extends JsonBody | RawBody | undefined = undefined,
  >(
    def: Omit<RouteContract<P, Q, B, Res>, 'query' | 'body' | 'response'> & { query?: Q; body?: B },
  ): RouteContract<P, Q, B, Res> => ({
    ...def,
    query: def.query as Q,
    body: def.body as B,
    errors: def.auth ? [...new Set<ApiErrorCode>(['unauthorized', 'forbidden', ...def.errors])] : def.errors,
  });
}

const ok = (description: string, schema?: z.ZodMiniType): Success => ({
  status: 200,
  contentTypes: [JSON_TYPE],
  description,
  ...(schema ? { schema } : {}),
});

const text = (description: string) => z.optional(z.string().register(z.globalRegistry, { description }));
const oneOf = <const T extends readonly [string, ...string[]]>(values: T, description: string) =>
  z.optional(z.enum(values).register(z.globalRegistry, { description }));

const OP = 'The operation id, e.g. `liberterra-iii`.';
const LANG = text(
  'The language of the reports, problems and texts: `en`, `fr`, `es` or `ar` (a tag such as `fr-CA` is matched on its language). Wins over `Accept-Language`; English when neither names one of them.',
);
const FIGURES = oneOf(
  FIGURES_DETAILS,
  '`summary`: the totals and the per-day figures only, no breakdown (small whatever the return; what the dashboard asks for). `full` (the default) adds `byBreakdown` and `byDayBreakdown`; a full answer too large for a Lambda response (over 5.5 MB) is refused with `figures-too-large`: ask for `summary`.',
);
const PAGE = {
  limit: text('Page size, 1 to 1,000 (default 100).'),
  cursor: text('Where the previous page ended (its `cursor`); absent for the first page.'),
};

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

const SHOWN_STATUSES = [
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

/** Every route of the API, by name. */
export const API = {
  health: route<R.Health>()({
    name: 'health',
    method: 'GET',
    path: '/health',
    auth: false,
    roles: [],
    tag: 'service',
    summary: 'Liveness check (public)',
    params: {},
    success: [ok('The service is up.')],
    errors: [],
  }),
  openapi: route<Record<string, unknown>>()({
    name: 'openapi',
    method: 'GET',
    path: '/openapi.json',
    auth: false,
    roles: [],
    tag: 'service',
    summary: 'This OpenAPI 3.1 document (public)',
    params: {},
    success: [ok('The OpenAPI document of the API.')],
    errors: [],
  }),
  listOperations: route<R.OperationList>()({
    name: 'listOperations',
    method: 'GET',
    path: '/operations',
    auth: true,
    roles: ALL_ROLES,
    tag: 'operations',
    summary: 'The operations, with their window and status',
    params: {},
    success: [ok('The operations.')],
    errors: [],
  }),
  getOperation: route<R.OperationDetail>()({
    name: 'getOperation',
    method: 'GET',
    path: '/operations/{op}',
    auth: true,
    roles: ALL_ROLES,
    tag: 'operations',
    summary: 'An operation: its definition, its change log and its status log',
    params: { op: OP },
    success: [ok('The operation.')],
    errors: ['unknown-operation'],
  }),
  getRollup: route<R.RollupView>()({
    name: 'getRollup',
    method: 'GET',
    path: '/operations/{op}/rollup',
    auth: true,
    roles: ['coordinator', 'auditor', 'admin'],
    tag: 'operations',
    summary: 'The live global totals',
    description:
      'Answers an `ETag` naming the rollup version and status; send it back in `If-None-Match` and an unchanged rollup is answered `304`. With `asOf`, the rollup as it stood then.',
    params: { op: OP },
    query: z.object({
      asOf: text('An ISO 8601 time: the rollup current then, with the status then (see the history).'),
    }),
    success: [
      ok('The rollup and the operation status.'),
      { status: 304, contentTypes: [], description: 'Unchanged since the ETag sent.' },
    ],
    errors: ['bad-request', 'unknown-operation', 'not-found'],
  }),
  rollupHistory: route<R.RollupHistoryPage>()({
    name: 'rollupHistory',
    method: 'GET',
    path: '/operations/{op}/rollup/history',
    auth: true,
    roles: ['coordinator', 'auditor', 'admin'],
    tag: 'operations',
    summary: "The rollup's timeline: each version, when it became current, and its totals",
    description: 'Oldest first; any entry’s `at` can be passed back to the rollup as `asOf`.',
    params: { op: OP },
    query: z.object(PAGE),
    success: [ok('One page of the timeline.')],
    errors: ['unknown-operation'],
  }),
  getCountry: route<R.CountryView>()({
    name: 'getCountry',
    method: 'GET',
    path: '/operations/{op}/countries/{cc}',
    auth: true,
    roles: ALL_ROLES,
    tag: 'operations',
    summary: "A country's figures (an agency: its own country only)",
    params: { op: OP, cc: 'The country, ISO 3166-1 alpha-2.' },
    query: z.object({ figures: FIGURES }),
    success: [
      ok(
        'The figures of the latest accepted return (`figuresDetail` says whether with breakdowns), or `reported: false`.',
      ),
    ],
    errors: ['bad-request', 'unknown-operation', 'unknown-country', 'figures-too-large'],
  }),
  listSubmissions: route<R.SubmissionPage>()({
    name: 'listSubmissions',
    method: 'GET',
    path: '/operations/{op}/submissions',
    auth: true,
    roles: ALL_ROLES,
    tag: 'returns',
    summary: 'Submissions and their verdicts, one page (an agency: its own)',
    params: { op: OP },
    query: z.object({ country: text('Only this country (an agency: its own, the default).'), ...PAGE }),
    success: [ok('One page of submissions.')],
    errors: ['unknown-operation'],
  }),
  getSubmission: route<R.SubmissionDetail>()({
    name: 'getSubmission',
    method: 'GET',
    path: '/operations/{op}/submissions/{id}',
    auth: true,
    roles: ALL_ROLES,
    tag: 'returns',
    summary: 'One submission and its validation report',
    params: { op: OP, id: 'The submission id.' },
    query: z.object({ format: oneOf(['text'], '`text`: the report as plain text.'), lang: LANG }),
    success: [
      {
        status: 200,
        contentTypes: [JSON_TYPE, 'text/plain'],
        description: 'The submission and its report (plain text with `format=text`).',
      },
    ],
    errors: ['unknown-operation', 'unknown-submission'],
  }),
  createUpload: route<R.UploadSlot>()({
    name: 'createUpload',
    method: 'POST',
    path: '/operations/{op}/uploads',
    auth: true,
    roles: ['agency', 'admin'],
    tag: 'returns',
    summary: 'An upload slot: a presigned S3 POST for one return file',
    description:
      "Send the file with the answer's `upload`: a `multipart/form-data` POST to `upload.url` with every field of `upload.fields`, then the file as the last field, named `file`. Then read the verdict at `receipt`.",
    params: { op: OP },
    query: z.object({ country: text('The country, when the body does not name it (admins).') }),
    body: { kind: 'json', schema: UploadRequest, invalid: 'bad-request' },
    success: [
      {
        status: 201,
        contentTypes: [JSON_TYPE],
        description: 'The slot and its presigned POST.',
        schema: UploadSlotSchema,
      },
    ],
    errors: ['bad-request', 'country-required', 'unknown-country', 'unsupported-format', 'unknown-operation'],
  }),
  getUpload: route<R.UploadStatus>()({
    name: 'getUpload',
    method: 'GET',
    path: '/operations/{op}/uploads/{uploadId}',
    auth: true,
    roles: ALL_ROLES,
    tag: 'returns',
    summary: 'An upload slot, and once its file landed, the receipt and the verdict',
    params: { op: OP, uploadId: 'The upload id the slot was created with.' },
    success: [ok('The slot, its receipt (null until the file lands) and verdict.', UploadStatusSchema)],
    errors: ['unknown-operation', 'unknown-upload'],
  }),
  validate: route<R.DryRunResult>()({
    name: 'validate',
    method: 'POST',
    path: '/operations/{op}/validate',
    auth: true,
    roles: ['agency', 'admin'],
    tag: 'returns',
    summary: 'A dry run: the checks of an upload on a file, nothing stored or counted',
    description:
      'The file is the request body, or the file uploaded to a dry-run slot (`uploadId`). Bodies are limited to 10 MB: larger files go through a slot.',
    params: { op: OP },
    query: z.object({
      uploadId: text('Check the file uploaded to this slot instead of the body.'),
      country: text('The country (admins); an agency checks for its own.'),
      fileName: text('The file name, which gives its format.'),
      filename: text('Same as `fileName`.'),
      format: oneOf(['csv', 'json', 'xlsx'], 'The format, when the file name does not tell it.'),
      output: oneOf(['text'], '`text`: the report as plain text.'),
      lang: LANG,
      figures: FIGURES,
    }),
    body: {
      kind: 'raw',
      contentTypes: [
        'text/csv',
        'application/json',
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'application/octet-stream',
      ],
      description: 'The return file, as is.',
    },
    success: [
      {
        status: 200,
        contentTypes: [JSON_TYPE, 'text/plain'],
        description: 'The report and the figures the file would give (plain text with `output=text`).',
      },
    ],
    errors: [
      'bad-request',
      'unknown-operation',
      'unknown-upload',
      'not-uploaded',
      'country-required',
      'unsupported-format',
      'figures-too-large',
    ],
  }),
  csvTemplate: route<string>()({
    name: 'csvTemplate',
    method: 'GET',
    path: '/operations/{op}/template.csv',
    auth: true,
    roles: ALL_ROLES,
    tag: 'returns',
    summary: 'The CSV header line a return starts from',
    params: { op: OP },
    success: [{ status: 200, contentTypes: ['text/csv'], description: 'The CSV template.' }],
    errors: ['unknown-operation'],
  }),
  xlsxTemplate: route<Uint8Array>()({
    name: 'xlsxTemplate',
    method: 'GET',
    path: '/operations/{op}/template.xlsx',
    auth: true,
    roles: ALL_ROLES,
    tag: 'returns',
    summary: 'The Excel workbook a return can be written in',
    params: { op: OP },
    query: z.object({ lang: LANG }),
    success: [
      {
        status: 200,
        contentTypes: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
        description: 'The workbook, with drop-downs, checks and a guide.',
      },
    ],
    errors: ['unknown-operation'],
  }),
  setStatus: route<R.StatusChangeResult>()({
    name: 'setStatus',
    method: 'POST',
    path: '/operations/{op}/status',
    auth: true,
    roles: ['admin'],
    tag: 'audit',
    summary: 'Moves the lifecycle: draft → open → closed → final (reopening needs a reason)',
    params: { op: OP },
    body: { kind: 'json', schema: StatusRequest, invalid: 'bad-status' },
    success: [ok('The new status and the status log.')],
    errors: [
      'bad-request',
      'bad-status',
      'unknown-operation',
      'bad-transition',
      'conflict',
      'still-processing',
      'signing-unavailable',
    ],
  }),
  ledger: route<R.LedgerPage>()({
    name: 'ledger',
    method: 'GET',
    path: '/operations/{op}/ledger',
    auth: true,
    roles: ['coordinator', 'auditor', 'admin'],
    tag: 'audit',
    summary: 'Every submission ever received, whatever its verdict, one page',
    description: 'A filtered page may hold fewer than `limit` entries: follow `cursor` until it is null.',
    params: { op: OP },
    query: z.object({
      country: text('Only this country.'),
      verdict: oneOf(
        [...SHOWN_STATUSES, 'abandoned'],
        'Only this status. `abandoned`: the upload slots that expired (an hour ago or more) with no file stored, listed under `abandoned` (nothing was stored and nothing counts; they are not submissions).',
      ),
      ...PAGE,
    }),
    success: [ok('One page of the ledger.')],
    errors: ['unknown-operation'],
  }),
  finalExport: route<R.FinalExport>()({
    name: 'finalExport',
    method: 'GET',
    path: '/operations/{op}/final',
    auth: true,
    roles: ['coordinator', 'auditor', 'admin'],
    tag: 'final',
    summary: 'The final figures with provenance and the manifest digest (once closed)',
    description:
      'The digest is in `x-manifest-sha256`; once final, the signature in `x-manifest-signature`. A file too large for a Lambda answer is answered `303` with a short-lived link. Coordinators read it once final.',
    params: { op: OP },
    query: z.object({ format: oneOf(['json', 'csv', 'sdmx-csv'], 'The export format (default `json`).') }),
    success: [
      {
        status: 200,
        contentTypes: [JSON_TYPE, 'text/csv', 'application/vnd.sdmx.data+csv'],
        description: 'The export.',
      },
      {
        status: 303,
        contentTypes: [JSON_TYPE],
        description: 'A large export: follow `location` (also in the body) before it expires.',
      },
    ],
    errors: ['unknown-operation', 'not-closed', 'final-not-frozen', 'bad-format'],
  }),
  finalSignature: route<R.ManifestSignature>()({
    name: 'finalSignature',
    method: 'GET',
    path: '/operations/{op}/final/signature',
    auth: true,
    roles: ['coordinator', 'auditor', 'admin'],
    tag: 'final',
    summary: 'The signature of the frozen final manifest',
    params: { op: OP },
    success: [ok('The signature.')],
    errors: ['unknown-operation', 'not-final'],
  }),
  finalStructure: route<R.FinalStructure>()({
    name: 'finalStructure',
    method: 'GET',
    path: '/operations/{op}/final/structure',
    auth: true,
    roles: ['coordinator', 'auditor', 'admin'],
    tag: 'final',
    summary: 'The SDMX-JSON structure the SDMX-CSV export follows',
    params: { op: OP },
    success: [
      {
        status: 200,
        contentTypes: ['application/vnd.sdmx.structure+json'],
        description: 'The SDMX-JSON 2.0.0 structure message.',
      },
    ],
    errors: ['unknown-operation', 'not-closed', 'final-not-frozen'],
  }),
  publicKey: route<R.PublicKey>()({
    name: 'publicKey',
    method: 'GET',
    path: '/operations/{op}/final/public-key',
    auth: false,
    roles: [],
    tag: 'final',
    summary: 'The key final manifests are signed with (public)',
    params: { op: OP },
    query: z.object({ format: oneOf(['pem'], '`pem`: the PEM alone.') }),
    success: [
      {
        status: 200,
        contentTypes: [JSON_TYPE, 'application/x-pem-file'],
        description: 'The key as PEM and JWK.',
      },
    ],
    errors: ['unknown-operation', 'signing-unavailable'],
  }),
  uploadProof: route<R.UploadProof>()({
    name: 'uploadProof',
    method: 'GET',
    path: '/operations/{op}/uploads/{uploadId}/proof',
    auth: true,
    roles: ALL_ROLES,
    tag: 'final',
    summary: "The inclusion proof of a slot's file in the signed ledger (once final)",
    params: { op: OP, uploadId: 'The upload id.' },
    success: [ok('The proof and the signed root it leads to.')],
    errors: [
      'unknown-operation',
      'unknown-upload',
      'not-uploaded',
      'not-in-ledger',
      'not-final',
      'final-not-frozen',
    ],
  }),
} as const;

/** Every route of the contract, in the order the router tries them. */
export const API_CONTRACT: readonly AnyRoute[] = Object.values(API);
