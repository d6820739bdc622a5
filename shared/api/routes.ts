/**
 * The API's routes as its clients need them: name, method, path, whether public, and the kind of
 * body. Nothing else reaches a client bundle: the schemas and the OpenAPI descriptions stay in the
 * server-side contract (contract.ts), whose types (answer, query, body) every entry here carries
 * as a type only, so calls through the one client (client.ts) stay typed by the contract.
 * A unit test checks that each entry is its contract route's.
 */
import type { AnyRoute, ApiMethod, API as CONTRACT } from './contract.ts';

/** One route, as a client calls it. `C` is its contract entry: a type only, never set. */
export type ClientRoute<C extends AnyRoute = AnyRoute> = {
  readonly name: string;
  readonly method: ApiMethod;
  readonly path: C['path'];
  /** Whether the route needs a bearer token (false: public, like /health). */
  readonly auth: boolean;
  /** The kind of body the route takes, when it takes one. */
  readonly body?: { readonly kind: 'json' | 'raw' };
  /** The route's contract entry, for types: never set. */
  readonly contract?: C;
};

/** Every route, by the contract's names. */
export type ClientRoutes = { readonly [K in keyof typeof CONTRACT]: ClientRoute<(typeof CONTRACT)[K]> };

const get = (name: string, path: string, auth = true) => ({ name, method: 'GET' as const, path, auth });
const post = (name: string, path: string, kind: 'json' | 'raw') => ({
  name,
  method: 'POST' as const,
  path,
  auth: true,
  body: { kind },
});

const OP = '/operations/{op}';

/** Every route of the API, by name: what a client needs to call it (see `ClientRoute`). */
export const API: ClientRoutes = {
  health: get('health', '/health', false),
  openapi: get('openapi', '/openapi.json', false),
  listOperations: get('listOperations', '/operations'),
  getOperation: get('getOperation', OP),
  getRollup: get('getRollup', `${OP}/rollup`),
  rollupHistory: get('rollupHistory', `${OP}/rollup/history`),
  rollupExport: get('rollupExport', `${OP}/rollup/export`),
  getCountry: get('getCountry', `${OP}/countries/{cc}`),
  listSubmissions: get('listSubmissions', `${OP}/submissions`),
  getSubmission: get('getSubmission', `${OP}/submissions/{id}`),
  createUpload: post('createUpload', `${OP}/uploads`, 'json'),
  getUpload: get('getUpload', `${OP}/uploads/{uploadId}`),
  validate: post('validate', `${OP}/validate`, 'raw'),
  csvTemplate: get('csvTemplate', `${OP}/template.csv`),
  xlsxTemplate: get('xlsxTemplate', `${OP}/template.xlsx`),
  setStatus: post('setStatus', `${OP}/status`, 'json'),
  ledger: get('ledger', `${OP}/ledger`),
  finalExport: get('finalExport', `${OP}/final`),
  finalSignature: get('finalSignature', `${OP}/final/signature`),
  finalStructure: get('finalStructure', `${OP}/final/structure`),
  publicKey: get('publicKey', `${OP}/final/public-key`, false),
  uploadProof: get('uploadProof', `${OP}/uploads/{uploadId}/proof`),
  sendReminders: post('sendReminders', `${OP}/reminders`, 'json'),
  listNotifications: get('listNotifications', `${OP}/notifications`),
} as ClientRoutes;
