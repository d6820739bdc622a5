import { describe, expect, it } from 'vitest';
import { statusOf } from '../../shared/api/errors.ts';
import { type Action, authorize, type Principal, principalFromClaims } from '../../shared/domain/policy.ts';

// Who is asking: an agency of Brazil, which acts on Brazil ("own") or on France ("other").
const agencyBR: Principal = { subject: 'agency-br', role: 'agency', country: 'BR' };
const coordinator: Principal = { subject: 'coord-1', role: 'coordinator', country: null };
const auditor: Principal = { subject: 'audit-1', role: 'auditor', country: null };
const admin: Principal = { subject: 'admin-1', role: 'admin', country: null };

type Answer = 'allow' | 'deny';
type Row = {
  action: string;
  own: Action;
  other: Action;
  agencyOwn: Answer;
  agencyOther: Answer;
  coordinator: Answer;
  auditor: Answer;
  admin: Answer;
};

/** The designed answers: agencies act for their own country only; coordinators read all live data;
 * auditors read everything, the ledger included; only admins manage operations. */
const MATRIX: Row[] = [
  {
    action: 'list-operations',
    own: { kind: 'list-operations' },
    other: { kind: 'list-operations' },
    agencyOwn: 'allow',
    agencyOther: 'allow',
    coordinator: 'allow',
    auditor: 'allow',
    admin: 'allow',
  },
  {
    action: 'read-operation',
    own: { kind: 'read-operation' },
    other: { kind: 'read-operation' },
    agencyOwn: 'allow',
    agencyOther: 'allow',
    coordinator: 'allow',
    auditor: 'allow',
    admin: 'allow',
  },
  {
    action: 'read-rollup',
    own: { kind: 'read-rollup' },
    other: { kind: 'read-rollup' },
    agencyOwn: 'deny',
    agencyOther: 'deny',
    coordinator: 'allow',
    auditor: 'allow',
    admin: 'allow',
  },
  {
    action: 'read-country',
    own: { kind: 'read-country', country: 'BR' },
    other: { kind: 'read-country', country: 'FR' },
    agencyOwn: 'allow',
    agencyOther: 'deny',
    coordinator: 'allow',
    auditor: 'allow',
    admin: 'allow',
  },
  {
    action: 'list-submissions of one country',
    own: { kind: 'list-submissions', country: 'BR' },
    other: { kind: 'list-submissions', country: 'FR' },
    agencyOwn: 'allow',
    agencyOther: 'deny',
    coordinator: 'allow',
    auditor: 'allow',
    admin: 'allow',
  },
  {
    action: 'list-submissions of all countries',
    own: { kind: 'list-submissions', country: null },
    other: { kind: 'list-submissions', country: null },
    agencyOwn: 'deny',
    agencyOther: 'deny',
    coordinator: 'allow',
    auditor: 'allow',
    admin: 'allow',
  },
  {
    action: 'read-submission',
    own: { kind: 'read-submission', country: 'BR' },
    other: { kind: 'read-submission', country: 'FR' },
    agencyOwn: 'allow',
    agencyOther: 'deny',
    coordinator: 'allow',
    auditor: 'allow',
    admin: 'allow',
  },
  {
    action: 'upload',
    own: { kind: 'upload', country: 'BR' },
    other: { kind: 'upload', country: 'FR' },
    agencyOwn: 'allow',
    agencyOther: 'deny',
    coordinator: 'deny',
    auditor: 'deny',
    admin: 'allow',
  },
  {
    action: 'manage-operation',
    own: { kind: 'manage-operation' },
    other: { kind: 'manage-operation' },
    agencyOwn: 'deny',
    agencyOther: 'deny',
    coordinator: 'deny',
    auditor: 'deny',
    admin: 'allow',
  },
  {
    action: 'read-ledger',
    own: { kind: 'read-ledger' },
    other: { kind: 'read-ledger' },
    agencyOwn: 'deny',
    agencyOther: 'deny',
    coordinator: 'allow',
    auditor: 'allow',
    admin: 'allow',
  },
  {
    action: 'read-final before the operation is final',
    own: { kind: 'read-final', status: 'closed' },
    other: { kind: 'read-final', status: 'closed' },
    agencyOwn: 'deny',
    agencyOther: 'deny',
    coordinator: 'deny',
    auditor: 'allow',
    admin: 'allow',
  },
  {
    action: 'read-final once final',
    own: { kind: 'read-final', status: 'final' },
    other: { kind: 'read-final', status: 'final' },
    agencyOwn: 'deny',
    agencyOther: 'deny',
    coordinator: 'allow',
    auditor: 'allow',
    admin: 'allow',
  },
];

/** Every kind of action: the compiler rejects this list when a kind is added to `Action`. */
const EVERY_KIND: Record<Action['kind'], true> = {
  'list-operations': true,
  'read-operation': true,
  'read-rollup': true,
  'read-country': true,
  'list-submissions': true,
  'read-submission': true,
  upload: true,
  'manage-operation': true,
  'read-ledger': true,
  'read-final': true,
};

type Case = { who: string; action: string; principal: Principal; request: Action; answer: Answer };

const CASES: Case[] = MATRIX.flatMap((row) =>
  [
    { who: 'an agency, for its own country', principal: agencyBR, request: row.own, answer: row.agencyOwn },
    {
      who: 'an agency, for another country',
      principal: agencyBR,
      request: row.other,
      answer: row.agencyOther,
    },
    { who: 'a coordinator', principal: coordinator, request: row.other, answer: row.coordinator },
    { who: 'an auditor', principal: auditor, request: row.other, answer: row.auditor },
    { who: 'an admin', principal: admin, request: row.other, answer: row.admin },
  ].map((c) => ({ ...c, action: row.action })),
);

const titled = (answer: Answer): [string, Case][] =>
  CASES.filter((c) => c.answer === answer).map((c) => [`${c.action} to ${c.who}`, c]);

describe('authorize', () => {
  it('covers every kind of action', () => {
    const kinds = new Set(MATRIX.map((row) => row.own.kind));

    expect(kinds).toEqual(new Set(Object.keys(EVERY_KIND)));
  });

  it.each(titled('allow'))('allows %s', (_title, { principal, request }) => {
    expect(authorize(principal, request)).toEqual({ ok: true, value: undefined });
  });

  it.each(titled('deny'))('refuses %s with 403, saying why', (_title, { principal, request }) => {
    const decision = authorize(principal, request);

    expect(decision.ok).toBe(false);
    expect(!decision.ok && statusOf(decision.error.code)).toBe(403);
    expect(!decision.ok && decision.error.reason.length).toBeGreaterThan(20);
  });

  it('names both countries when an agency reaches for another country’s data', () => {
    const decision = authorize(agencyBR, { kind: 'read-submission', country: 'FR' });

    expect(!decision.ok && decision.error.reason).toContain('BR');
    expect(!decision.ok && decision.error.reason).toContain('FR');
  });

  it('tells an agency listing every submission how to ask for its own', () => {
    const decision = authorize(agencyBR, { kind: 'list-submissions', country: null });

    expect(!decision.ok && decision.error.reason).toContain('?country=BR');
  });
});

describe('principalFromClaims', () => {
  it('reads an agency from the local issuer’s claims', () => {
    const who = principalFromClaims({ sub: 'agency-br', role: 'agency', country: 'BR' });

    expect(who).toEqual({ ok: true, value: { subject: 'agency-br', role: 'agency', country: 'BR' } });
  });

  it('reads a coordinator, who needs no country', () => {
    const who = principalFromClaims({ sub: 'coord-1', role: 'coordinator' });

    expect(who).toEqual({ ok: true, value: { subject: 'coord-1', role: 'coordinator', country: null } });
  });

  it('reads Cognito groups passed by API Gateway as a "[agency]" string', () => {
    const who = principalFromClaims({ sub: 'u-1', 'cognito:groups': '[agency]', 'custom:country': 'KE' });

    expect(who).toEqual({ ok: true, value: { subject: 'u-1', role: 'agency', country: 'KE' } });
  });

  it('reads Cognito groups given as an array', () => {
    const who = principalFromClaims({ sub: 'u-2', 'cognito:groups': ['auditor'] });

    expect(who).toEqual({ ok: true, value: { subject: 'u-2', role: 'auditor', country: null } });
  });

  it('finds the role among several groups in the string form', () => {
    const who = principalFromClaims({ sub: 'u-3', 'cognito:groups': '[staff coordinator]' });

    expect(who.ok && who.value.role).toBe('coordinator');
  });

  it.each([
    ['no role claim', { sub: 'u-4' }],
    ['an unknown role', { sub: 'u-4', role: 'superuser' }],
    ['no known group', { sub: 'u-4', 'cognito:groups': '[staff]' }],
    ['an empty group list', { sub: 'u-4', 'cognito:groups': '[]' }],
  ])('refuses a token with %s (403)', (_case, claims) => {
    const who = principalFromClaims(claims);

    expect(who.ok).toBe(false);
    expect(!who.ok && statusOf(who.error.code)).toBe(403);
    expect(!who.ok && who.error.reason).toContain('role');
  });

  it.each([
    ['no country', { sub: 'u-5', role: 'agency' }],
    ['a lower-case country', { sub: 'u-5', role: 'agency', country: 'br' }],
    ['a three-letter country', { sub: 'u-5', 'cognito:groups': '[agency]', 'custom:country': 'BRA' }],
  ])('refuses an agency token with %s (403)', (_case, claims) => {
    const who = principalFromClaims(claims);

    expect(who.ok).toBe(false);
    expect(!who.ok && statusOf(who.error.code)).toBe(403);
    expect(!who.ok && who.error.reason).toContain('country');
  });

  it('refuses a request without claims (401)', () => {
    const who = principalFromClaims(undefined);

    expect(who.ok).toBe(false);
    expect(!who.ok && statusOf(who.error.code)).toBe(401);
  });
});
