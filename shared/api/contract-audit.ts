/**
 * The contract's routes of an operation's life and its proof: changing its status, the ledger,
 * the final export with its signature and structure, the public key and an upload's inclusion
 * proof. `contract.ts` puts them after the live routes in `API`.
 */
import * as z from 'zod/mini';
import { ALL_ROLES, JSON_TYPE, OP, ok, oneOf, PAGE, route, text } from './contract-kit.ts';
import { SHOWN_STATUSES, StatusRequest } from './contract-schemas.ts';
import type * as R from './responses.ts';

/** The status, ledger, final and proof routes, by name. */
export const AUDIT_API = {
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
