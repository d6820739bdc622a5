/**
 * The API contract: every route of the optally HTTP API, declared once — method, path, who may
 * call it, the request's query and body schemas (zod/mini, small enough for the Lambda), the answer
 * type and the error codes. The api function's router serves exactly these routes, the CDK app
 * registers them, the OpenAPI document is built from them, and the web dashboard and the CLI call
 * them through the one client (`client.ts`).
 */
import * as z from 'zod/mini';
import { AUDIT_API } from './contract-audit.ts';
import {
  ALL_ROLES,
  type AnyRoute,
  FIGURES,
  JSON_TYPE,
  LANG,
  OP,
  ok,
  oneOf,
  PAGE,
  route,
  text,
} from './contract-kit.ts';
import { NOTIFY_API } from './contract-notify.ts';
import { RollupViewSchema, UploadRequest, UploadSlotSchema, UploadStatusSchema } from './contract-schemas.ts';
import type * as R from './responses.ts';

export {
  type AnyRoute,
  type ApiMethod,
  type JsonBody,
  type PathParamNames,
  type QuerySchema,
  type RawBody,
  type ResponseOf,
  type RouteContract,
  routeKeyOf,
  type Success,
} from './contract-kit.ts';
export * from './contract-schemas.ts';

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
      ok('The rollup and the operation status.', RollupViewSchema),
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
  rollupExport: route<string>()({
    name: 'rollupExport',
    method: 'GET',
    path: '/operations/{op}/rollup/export',
    auth: true,
    roles: ['coordinator', 'auditor', 'admin'],
    tag: 'operations',
    summary: 'The live rollup as a provisional CSV or Excel file',
    description:
      'Every file is stamped `provisional` with the figures version and time (CSV: `key,value` rows, a blank row, then the figures; XLSX: a title row and an `About` sheet), and named `{op}-provisional-v{version}.csv|xlsx`. Columns are canonical codes; the stamp’s sentences follow `lang`. Not the final export (`/final`). With `asOf`, the rollup as it stood then.',
    params: { op: OP },
    query: z.object({
      format: oneOf(['csv', 'xlsx'], 'The file format (required).'),
      asOf: text('An ISO 8601 time: the rollup current then (see the history).'),
      lang: LANG,
    }),
    success: [
      {
        status: 200,
        contentTypes: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
        description: 'The file, as an attachment.',
      },
    ],
    errors: ['bad-format', 'bad-request', 'unknown-operation', 'not-found'],
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
    query: z.object({
      format: oneOf(['text'], '`text`: the report as plain text.'),
      lang: LANG,
      figures: oneOf(
        ['summary'],
        '`summary`: the answer adds `figures`, the totals and per-day figures the file gave (null when it gave none: rejected or still being checked).',
      ),
    }),
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
  ...AUDIT_API,
  ...NOTIFY_API,
} as const;

/** Every route of the contract, in the order the router tries them. */
export const API_CONTRACT: readonly AnyRoute[] = Object.values(API);
