import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import type { Report } from '../../../shared/domain/check-return.ts';
import type { Operation, OperationStatus } from '../../../shared/domain/operation.ts';
import { type CountryState, type RollupView, rollup } from '../../../shared/domain/rollup.ts';
import type { Submission } from '../../../web/src/api-types.ts';
import { liberterraIII } from '../../support/builders.ts';

/**
 * A stand-in for the API, for the dashboard tests that need what the real stack cannot be made to
 * do on demand (answer with an old rollup version). It serves the built dashboard and the read
 * API from country states the test sets; rollups come from the real `rollup()` function.
 */
export type MockApi = {
  url: string;
  tokens: { coordinator: string; auditor: string; agency: (cc: string) => string };
  /** Sets a country's figures (totals by metric; each on `date`), raising the version. */
  report(country: string, totals: Record<string, number>, date?: string): void;
  setStatus(status: OperationStatus): void;
  /** The next `times` rollup requests get this (older) answer instead, with a 200 and its own ETag. */
  answerNextWith(view: RollupView, times?: number): void;
  current(): RollupView;
  addSubmission(submission: Submission, report: Report | null): void;
  finalAvailable: boolean;
  rollupRequests: number;
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
  let status: OperationStatus = 'open';
  let override: { view: RollupView; times: number } | null = null;

  const view = (): RollupView => ({ ...rollup(op, [...states.values()]), status });
  const send = (res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-cache', ...headers });
    res.end(code === 304 ? '' : JSON.stringify(body));
  };

  const api: MockApi = {
    url: '',
    tokens: {
      coordinator: fakeToken({ role: 'coordinator' }),
      auditor: fakeToken({ role: 'auditor' }),
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
    finalAvailable: false,
    rollupRequests: 0,
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
          admin: fakeToken({ role: 'admin' }),
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
      if (url.pathname === `${base}/final`) {
        return api.finalAvailable
          ? send(res, 200, { final: true })
          : send(res, 404, { message: 'not final' });
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
