import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import type { Report } from '../../../shared/domain/check-return.ts';
import {
  buildManifest,
  finalCsv,
  finalSdmxCsv,
  type Manifest,
  manifestDigest,
  type Provenance,
  sha256Hex,
} from '../../../shared/domain/final-export.ts';
import type { Operation, OperationStatus } from '../../../shared/domain/operation.ts';
import { type CountryState, type RollupView, rollup } from '../../../shared/domain/rollup.ts';
import type { LedgerEntry, Submission } from '../../../web/src/api-types.ts';
import { liberterraIII } from '../../support/builders.ts';

/**
 * A stand-in for the API, for the dashboard tests that need what the real stack cannot be made to
 * do on demand (answer with an old rollup version, switch status without uploads, hold a long
 * ledger). It serves the built dashboard and the read API from country states the test sets;
 * rollups, manifests and the CSV / SDMX-CSV exports come from the real domain functions, and
 * `/final` and `/ledger` answer each role as the real API does (409 before closed, 403 when the
 * role may not).
 */
export type MockApi = {
  url: string;
  tokens: { coordinator: string; auditor: string; admin: string; agency: (cc: string) => string };
  /** Sets a country's figures (totals by metric; each on `date`), raising the version. */
  report(country: string, totals: Record<string, number>, date?: string): void;
  setStatus(status: OperationStatus): void;
  /** The next `times` rollup requests get this (older) answer instead, with a 200 and its own ETag. */
  answerNextWith(view: RollupView, times?: number): void;
  current(): RollupView;
  addSubmission(submission: Submission, report: Report | null): void;
  /** Appends entries to the ledger (in the order the API keeps them). */
  addLedgerEntries(entries: LedgerEntry[]): void;
  /** The manifest `/final` serves now, and its digest. */
  manifest(): { manifest: Manifest; digest: string };
  rollupRequests: number;
  /** Every `/final` and `/ledger` request: query string and Authorization header. */
  auditRequests: { path: string; search: string; authorization: string | undefined }[];
  stop(): Promise<void>;
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

/** An unsigned token with the claims the real issuer writes (the mock does not check signatures). */
export function fakeToken(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'test', ...claims })}.sig`;
}

function claimsOf(req: IncomingMessage): Record<string, unknown> | null {
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const payload = token?.split('.')[1];
  if (!payload) return null;
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/**
 * Starts the mock on a free port of 127.0.0.1, for Operation Liberterra III. With `localTokens:
 * false` it behaves as a deployed API: no `/local/tokens`.
 */
export async function startMockApi(options: { webRoot: string; localTokens?: boolean }): Promise<MockApi> {
  const op: Operation = liberterraIII();
  const states = new Map<string, CountryState>();
  const submissions: { submission: Submission; report: Report | null }[] = [];
  const ledger: LedgerEntry[] = [];
  let status: OperationStatus = 'open';
  let override: { view: RollupView; times: number } | null = null;

  const view = (): RollupView => ({ ...rollup(op, [...states.values()]), status });
  const send = (res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-cache', ...headers });
    res.end(code === 304 ? '' : JSON.stringify(body));
  };

  const manifest = () => {
    const provenance: Provenance[] = [...states.values()].map((s) => {
      const file = `${s.country.toLowerCase()}-return.csv`;
      return {
        country: s.country,
        versionId: null,
        submissionId: s.submissionId,
        key: `incoming/${op.id}/${s.country}/u-${s.rev}/${file}`,
        sha256: sha256Hex(`${s.submissionId}:${JSON.stringify(s.figures)}`),
        size: 100 + s.rev,
        receivedAt: s.receivedAt,
        acceptedAt: s.acceptedAt,
      };
    });
    const built = buildManifest(op, status, [...states.values()], provenance, 'mock-validator-1');
    return { manifest: built, digest: manifestDigest(built) };
  };

  const api: MockApi = {
    url: '',
    tokens: {
      coordinator: fakeToken({ role: 'coordinator' }),
      auditor: fakeToken({ role: 'auditor' }),
      admin: fakeToken({ role: 'admin' }),
      agency: (cc) => fakeToken({ role: 'agency', country: cc }),
    },
    report(country, totals, date = op.window.start) {
      const previous = states.get(country);
      const now = new Date().toISOString();
      states.set(country, {
        country,
        figures: { totals, byDay: { [date]: totals }, byBreakdown: {} },
        submissionId: `${country}-${now}`,
        orderKey: now,
        receivedAt: now,
        acceptedAt: now,
        firstAcceptedAt: previous?.firstAcceptedAt ?? now,
        firstReceivedAt: previous?.firstReceivedAt ?? now,
        rev: (previous?.rev ?? 0) + 1,
      });
    },
    setStatus(next) {
      status = next;
    },
    answerNextWith(stale, times = 1) {
      override = { view: stale, times };
    },
    current: view,
    addSubmission(submission, report) {
      submissions.push({ submission, report });
    },
    addLedgerEntries(entries) {
      ledger.push(...entries);
    },
    manifest,
    rollupRequests: 0,
    auditRequests: [],
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://mock');
      const base = `/operations/${op.id}`;
      if (url.pathname === '/local/tokens' && options.localTokens !== false) {
        send(res, 200, {
          ...api.tokens,
          agencies: { BR: api.tokens.agency('BR') },
        });
        return;
      }
      if (!url.pathname.startsWith('/operations')) {
        const file = join(options.webRoot, normalize(url.pathname === '/' ? '/index.html' : url.pathname));
        try {
          const body = await readFile(file);
          res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
          res.end(body);
        } catch {
          res.writeHead(404).end();
        }
        return;
      }
      const claims = claimsOf(req);
      if (!claims) return send(res, 401, { error: 'unauthorized', message: 'Unauthorized' });
      if (url.pathname === '/operations') {
        return send(res, 200, {
          operations: [
            { id: op.id, name: op.name, window: op.window, participants: op.participants.length, status },
          ],
        });
      }
      if (url.pathname === base) return send(res, 200, { definition: op, status });
      if (url.pathname === `${base}/rollup`) {
        if (claims.role === 'agency')
          return send(res, 403, { error: 'forbidden', message: 'Agencies may not.' });
        api.rollupRequests += 1;
        const answer = override?.view ?? view();
        if (override && --override.times <= 0) override = null;
        const etag = `"${answer.version}-${answer.status}"`;
        if (req.headers['if-none-match'] === etag) return send(res, 304, null, { etag });
        return send(res, 200, answer, { etag });
      }
      if (url.pathname === `${base}/final` || url.pathname === `${base}/ledger`) {
        api.auditRequests.push({
          path: url.pathname,
          search: url.search,
          authorization: req.headers.authorization,
        });
      }
      const auditor = claims.role === 'auditor' || claims.role === 'admin';
      if (url.pathname === `${base}/final`) {
        if (!auditor && !(claims.role === 'coordinator' && status === 'final')) {
          return send(res, 403, { error: 'forbidden', message: 'Not yet for this role.' });
        }
        if (status === 'draft' || status === 'open') {
          return send(res, 409, { error: 'not-closed', message: `${op.name} is ${status}.` });
        }
        const { manifest: body, digest } = manifest();
        const headers = { 'x-manifest-sha256': digest };
        const name = `${op.id}-${status}`;
        const format = url.searchParams.get('format') ?? 'json';
        if (format === 'json') return send(res, 200, { manifestSha256: digest, manifest: body }, headers);
        const csv = format === 'csv' ? finalCsv(body) : finalSdmxCsv(body, op.window);
        res.writeHead(200, {
          ...headers,
          'cache-control': 'no-cache',
          'content-type':
            format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.sdmx.data+csv; charset=utf-8',
          'content-disposition': `attachment; filename="${name}${format === 'csv' ? '.csv' : '.sdmx.csv'}"`,
        });
        res.end(csv);
        return;
      }
      if (url.pathname === `${base}/ledger`) {
        if (!auditor && claims.role !== 'coordinator') {
          return send(res, 403, {
            error: 'forbidden',
            message: 'The ledger is for coordinators and auditors.',
          });
        }
        const limit = Number(url.searchParams.get('limit') ?? '100');
        const start = Number(url.searchParams.get('cursor') ?? '0');
        const country = url.searchParams.get('country')?.toUpperCase() ?? null;
        const verdict = url.searchParams.get('verdict');
        const end = start + limit;
        // Like DynamoDB: the country narrows the query, the verdict filters a page after reading it.
        const matching = ledger.filter((e) => !country || e.country === country);
        const entries = matching.slice(start, end).filter((e) => !verdict || e.status === verdict);
        return send(res, 200, {
          operation: op.id,
          entries,
          cursor: end < matching.length ? String(end) : null,
        });
      }
      if (url.pathname === `${base}/submissions`) {
        const country = url.searchParams.get('country');
        return send(res, 200, {
          submissions: submissions.map((s) => s.submission).filter((s) => s.country === country),
        });
      }
      const id = url.pathname.startsWith(`${base}/submissions/`)
        ? decodeURIComponent(url.pathname.split('/').at(-1) ?? '')
        : null;
      const found = submissions.find((s) => s.submission.id === id);
      if (found) return send(res, 200, found);
      return send(res, 404, { error: 'not-found', message: `No route ${url.pathname}` });
    })();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return api;
}
