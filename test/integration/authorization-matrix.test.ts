import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/api/routes.ts';
import { LocalIssuer } from '../../local/local-auth.ts';
import { API_CONTRACT, routeKeyOf } from '../../shared/api/contract.ts';
import type { ErrorBody, UploadSlot } from '../../shared/api/responses.ts';
import { freshStack } from '../support/local-servers.ts';

/**
 * Every route × every kind of caller, against the designed answer. BR owns the resources; the
 * "agency other" is FR's agency asking for them. A route added without a row here fails the
 * first test.
 */

const OP = 'liberterra-iii';
const CALLERS = [
  'agencyOwn',
  'agencyOther',
  'coordinator',
  'auditor',
  'admin',
  'none',
  'expired',
  'foreignKey',
] as const;
type Caller = (typeof CALLERS)[number];
type Request = { method: 'GET' | 'POST'; path: string; body?: string; contentType?: string };

/** Expected status per caller; the three bad-token callers always get 401 (except on /health). */
type Row = {
  route: string;
  request: (ids: Ids) => Request;
  expect: Record<Exclude<Caller, 'none' | 'expired' | 'foreignKey'>, number>;
};
type Ids = { submissionId: string; uploadId: string };

const ALL = (status: number) => ({
  agencyOwn: status,
  agencyOther: status,
  coordinator: status,
  auditor: status,
  admin: status,
});
const csv = 'date,metric,value\n2025-11-12,arrests,1\n';

const MATRIX: Row[] = [
  { route: 'GET /health', request: () => ({ method: 'GET', path: '/health' }), expect: ALL(200) },
  { route: 'GET /openapi.json', request: () => ({ method: 'GET', path: '/openapi.json' }), expect: ALL(200) },
  { route: 'GET /operations', request: () => ({ method: 'GET', path: '/operations' }), expect: ALL(200) },
  {
    route: 'GET /operations/{op}',
    request: () => ({ method: 'GET', path: `/operations/${OP}` }),
    expect: ALL(200),
  },
  {
    route: 'GET /operations/{op}/rollup',
    request: () => ({ method: 'GET', path: `/operations/${OP}/rollup` }),
    expect: { agencyOwn: 403, agencyOther: 403, coordinator: 200, auditor: 200, admin: 200 },
  },
  {
    route: 'GET /operations/{op}/rollup/history',
    request: () => ({ method: 'GET', path: `/operations/${OP}/rollup/history` }),
    expect: { agencyOwn: 403, agencyOther: 403, coordinator: 200, auditor: 200, admin: 200 },
  },
  {
    route: 'GET /operations/{op}/rollup/export',
    request: () => ({ method: 'GET', path: `/operations/${OP}/rollup/export?format=csv` }),
    expect: { agencyOwn: 403, agencyOther: 403, coordinator: 200, auditor: 200, admin: 200 },
  },
  {
    route: 'GET /operations/{op}/countries/{cc}',
    request: () => ({ method: 'GET', path: `/operations/${OP}/countries/BR` }),
    expect: { agencyOwn: 200, agencyOther: 403, coordinator: 200, auditor: 200, admin: 200 },
  },
  {
    route: 'GET /operations/{op}/submissions',
    request: () => ({ method: 'GET', path: `/operations/${OP}/submissions?country=BR` }),
    expect: { agencyOwn: 200, agencyOther: 403, coordinator: 200, auditor: 200, admin: 200 },
  },
  {
    route: 'GET /operations/{op}/submissions/{id}',
    request: (ids) => ({ method: 'GET', path: `/operations/${OP}/submissions/${ids.submissionId}` }),
    expect: { agencyOwn: 200, agencyOther: 403, coordinator: 200, auditor: 200, admin: 200 },
  },
  {
    route: 'POST /operations/{op}/uploads',
    request: () => ({
      method: 'POST',
      path: `/operations/${OP}/uploads`,
      body: JSON.stringify({ fileName: 'r.csv', country: 'BR' }),
      contentType: 'application/json',
    }),
    expect: { agencyOwn: 201, agencyOther: 403, coordinator: 403, auditor: 403, admin: 201 },
  },
  {
    route: 'GET /operations/{op}/uploads/{uploadId}',
    request: (ids) => ({ method: 'GET', path: `/operations/${OP}/uploads/${ids.uploadId}` }),
    expect: { agencyOwn: 200, agencyOther: 403, coordinator: 200, auditor: 200, admin: 200 },
  },
  {
    route: 'POST /operations/{op}/validate',
    request: () => ({
      method: 'POST',
      path: `/operations/${OP}/validate?country=BR&fileName=r.csv`,
      body: csv,
      contentType: 'text/csv',
    }),
    expect: { agencyOwn: 200, agencyOther: 403, coordinator: 403, auditor: 403, admin: 200 },
  },
  {
    route: 'GET /operations/{op}/template.csv',
    request: () => ({ method: 'GET', path: `/operations/${OP}/template.csv` }),
    expect: ALL(200),
  },
  {
    route: 'GET /operations/{op}/template.xlsx',
    request: () => ({ method: 'GET', path: `/operations/${OP}/template.xlsx` }),
    expect: ALL(200),
  },
  {
    // An admin is let through and then told the move is not allowed (the operation is open already).
    route: 'POST /operations/{op}/status',
    request: () => ({
      method: 'POST',
      path: `/operations/${OP}/status`,
      body: JSON.stringify({ status: 'open' }),
      contentType: 'application/json',
    }),
    expect: { agencyOwn: 403, agencyOther: 403, coordinator: 403, auditor: 403, admin: 409 },
  },
  {
    route: 'GET /operations/{op}/ledger',
    request: () => ({ method: 'GET', path: `/operations/${OP}/ledger` }),
    expect: { agencyOwn: 403, agencyOther: 403, coordinator: 200, auditor: 200, admin: 200 },
  },
  {
    // While the operation is open, auditors and admins are let through and told it is not closed.
    route: 'GET /operations/{op}/final',
    request: () => ({ method: 'GET', path: `/operations/${OP}/final` }),
    expect: { agencyOwn: 403, agencyOther: 403, coordinator: 403, auditor: 409, admin: 409 },
  },
  {
    // Signed at finalisation: until then auditors and admins are told it does not exist yet.
    route: 'GET /operations/{op}/final/signature',
    request: () => ({ method: 'GET', path: `/operations/${OP}/final/signature` }),
    expect: { agencyOwn: 403, agencyOther: 403, coordinator: 403, auditor: 409, admin: 409 },
  },
  {
    // The SDMX structure of the final export: who may read it and when, as for /final.
    route: 'GET /operations/{op}/final/structure',
    request: () => ({ method: 'GET', path: `/operations/${OP}/final/structure` }),
    expect: { agencyOwn: 403, agencyOther: 403, coordinator: 403, auditor: 409, admin: 409 },
  },
  {
    route: 'GET /operations/{op}/final/public-key',
    request: () => ({ method: 'GET', path: `/operations/${OP}/final/public-key` }),
    expect: ALL(200),
  },
  {
    // Its own agency, coordinators, auditors and admins are told the proof exists once final.
    route: 'GET /operations/{op}/uploads/{uploadId}/proof',
    request: (ids) => ({ method: 'GET', path: `/operations/${OP}/uploads/${ids.uploadId}/proof` }),
    expect: { agencyOwn: 409, agencyOther: 403, coordinator: 409, auditor: 409, admin: 409 },
  },
  {
    // Admins only; a preview sends and records nothing.
    route: 'POST /operations/{op}/reminders',
    request: () => ({
      method: 'POST',
      path: `/operations/${OP}/reminders`,
      body: '{"preview":true}',
      contentType: 'application/json',
    }),
    expect: { agencyOwn: 403, agencyOther: 403, coordinator: 403, auditor: 403, admin: 200 },
  },
  {
    route: 'GET /operations/{op}/notifications',
    request: () => ({ method: 'GET', path: `/operations/${OP}/notifications` }),
    expect: { agencyOwn: 403, agencyOther: 403, coordinator: 403, auditor: 403, admin: 200 },
  },
];

describe('authorization matrix: every route × every caller', () => {
  let stack: Awaited<ReturnType<typeof freshStack>>;
  let tokens: Record<Caller, string | null>;
  let ids: Ids;
  let foreignDir: string;

  beforeAll(async () => {
    stack = await freshStack();
    foreignDir = await mkdtemp(join(tmpdir(), 'optally-foreign-'));
    const foreign = await LocalIssuer.open(foreignDir);
    tokens = {
      agencyOwn: await stack.tokens.agency('BR'),
      agencyOther: await stack.tokens.agency('FR'),
      coordinator: stack.tokens.coordinator,
      auditor: stack.tokens.auditor,
      admin: stack.tokens.admin,
      none: null,
      expired: await stack.issuer.token('coordinator', undefined, new Date(Date.now() - 60_000)),
      foreignKey: await foreign.token('admin'),
    };
    const slot = (await (
      await fetch(`${stack.apiUrl}/operations/${OP}/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.agencyOwn}`, 'content-type': 'application/json' },
        body: JSON.stringify({ fileName: 'r.csv' }),
      })
    ).json()) as UploadSlot;
    const form = new FormData();
    for (const [k, v] of Object.entries(slot.upload.fields)) form.append(k, v);
    form.append('file', new Blob([csv]), 'r.csv');
    await fetch(slot.upload.url, { method: 'POST', body: form });
    await stack.settled();
    const [sub] = (await stack.repo.listSubmissions(OP, 'BR', { limit: 1 })).submissions;
    if (!sub) throw new Error('the setup upload made no submission');
    ids = { submissionId: sub.id, uploadId: slot.uploadId };
  });
  afterAll(async () => {
    await stack.dispose();
    await rm(foreignDir, { recursive: true, force: true });
  });

  it('covers every route of the API', () => {
    expect(MATRIX.map((r) => r.route).sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.pattern}`).sort());
  });

  it('agrees with the roles the API contract names for each route', () => {
    // The final figures are refused to coordinators until the operation is final (it is open here).
    const onceFinal = [
      'GET /operations/{op}/final',
      'GET /operations/{op}/final/signature',
      'GET /operations/{op}/final/structure',
    ];
    const roleOf = {
      agencyOwn: 'agency',
      coordinator: 'coordinator',
      auditor: 'auditor',
      admin: 'admin',
    } as const;
    for (const row of MATRIX) {
      const contract = API_CONTRACT.find((r) => routeKeyOf(r) === row.route);
      if (!contract?.auth) continue;
      const letThrough = Object.entries(roleOf)
        .filter(([caller]) => ![401, 403].includes(row.expect[caller as keyof typeof roleOf]))
        .map(([, role]) => role);
      const named = contract.roles.filter(
        (role) => !(role === 'coordinator' && onceFinal.includes(row.route)),
      );
      expect([...named].sort(), row.route).toEqual(letThrough.sort());
    }
  });

  const cases = MATRIX.flatMap((row) =>
    CALLERS.map((caller) => {
      const open = ROUTES.some((r) => `${r.method} ${r.pattern}` === row.route && !r.auth);
      const expected =
        caller === 'none' || caller === 'expired' || caller === 'foreignKey'
          ? open
            ? 200
            : 401
          : row.expect[caller];
      return { route: row.route, caller, expected, row };
    }),
  );

  it.each(cases)('$route as $caller → $expected', async ({ row, caller, expected }) => {
    const req = row.request(ids);
    const token = tokens[caller];
    const res = await fetch(`${stack.apiUrl}${req.path}`, {
      method: req.method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(req.contentType ? { 'content-type': req.contentType } : {}),
      },
      body: req.body,
    });
    expect(res.status).toBe(expected);
    if (expected === 403) {
      expect(((await res.json()) as ErrorBody).message.length).toBeGreaterThan(10);
    }
  });
});
