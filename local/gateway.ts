import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { matchRoute } from '../functions/api/routes.ts';
import { localContext } from '../shared/adapters/lambda.ts';
import { isOwnLoopbackHost, type LocalIssuer } from './local-auth.ts';
import type { LocalPage } from './mail-page.ts';

/** Paths the local gateway sends to the API Lambda; everything else is the dashboard. */
const API_PATH = /^\/(health|openapi\.json|operations)(\/|$)/;
/** API Gateway refuses request bodies above 10 MB; so does the local gateway. */
const MAX_BODY = 10 * 1024 * 1024;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
  '.ico': 'image/x-icon',
};

/**
 * What GET /local/info tells a client on this machine (the CLI): that it is talking to a local
 * stack, where that stack keeps its data (the token secret) and where its S3 and DynamoDB APIs
 * are. Like every local-only route, it answers only requests for the stack's own address.
 */
export type LocalStackInfo = {
  service: 'optally-local';
  dataDir: string;
  s3Endpoint: string;
  bucket: string;
  dynamodbEndpoint: string;
  table: string;
};

export type GatewayOptions = {
  issuer: LocalIssuer;
  api: (
    event: APIGatewayProxyEventV2WithJWTAuthorizer,
    context: Context,
  ) => Promise<APIGatewayProxyStructuredResultV2>;
  /** Static files of the dashboard. */
  webRoot: string;
  /** Extra local-only JSON routes (/local/info, /local/tokens): answered only for our own Host. */
  extras: Record<string, () => Promise<unknown>>;
  /** Local-only pages (/local/mail), given the request's URL and headers: our own Host only, too. */
  pages?: Record<string, (url: URL, headers: Record<string, string | undefined>) => Promise<LocalPage>>;
};

/**
 * A small HTTP gateway doing locally what API Gateway's HTTP API does on AWS: verify the bearer
 * JWT (401 as the JWT authorizer answers), turn the request into a payload 2.0 event with the
 * verified claims, call the API handler, and write its response. It also serves the dashboard.
 */
export function createGateway(o: GatewayOptions): Server {
  return createServer((req, res) => {
    handle(req, res, o).catch((e) => {
      console.error(JSON.stringify({ level: 'error', msg: 'gateway error', error: String(e) }));
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Internal Server Error' }));
    });
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, o: GatewayOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const extra = o.extras[url.pathname];
  const page = o.pages?.[url.pathname];
  if ((extra || page) && req.method === 'GET') {
    if (!isOwnLoopbackHost(req.headers.host, req.socket.localPort ?? 0)) {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: 'forbidden',
          message: `${url.pathname} answers only requests for this stack's own address (127.0.0.1 or localhost and its port).`,
        }),
      );
      return;
    }
    if (page) {
      const answer = await page(url, req.headers as Record<string, string | undefined>);
      res.writeHead(answer.status, {
        'content-type': answer.contentType,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        // Mail texts are shown, never run: no script, nothing loaded from elsewhere.
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      });
      res.end(answer.body);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(await extra?.()));
    return;
  }
  if (!API_PATH.test(url.pathname)) {
    await serveStatic(url.pathname, res, o.webRoot);
    return;
  }
  const body = await readBody(req);
  if (body === null) {
    res.writeHead(413, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: 'Request Entity Too Large' }));
    return;
  }
  let claims: Record<string, unknown> | null = null;
  const auth = req.headers.authorization;
  // As API Gateway does: a JWT for every route but the public ones (an unknown route reaches the
  // handler's 404 only with a valid token).
  if (!isPublicRoute(req.method ?? 'GET', url.pathname)) {
    const token = /^Bearer\s+(.+)$/i.exec(auth ?? '')?.[1];
    claims = token ? await o.issuer.verify(token) : null;
    if (!claims) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
      res.end(JSON.stringify({ message: 'Unauthorized' }));
      return;
    }
  }
  const event = toEvent(req, url, body, claims);
  const out = await o.api(event, localContext('optally-api'));
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(out.headers ?? {})) headers[k] = String(v);
  res.writeHead(out.statusCode ?? 200, headers);
  res.end(out.body === undefined ? '' : Buffer.from(out.body, out.isBase64Encoded ? 'base64' : 'utf8'));
}

function toEvent(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  claims: Record<string, unknown> | null,
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const textual = /^(application\/json|text\/)/.test(headers['content-type'] ?? '');
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: Object.keys(query).length > 0 ? query : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: crypto.randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        jwt: { claims: (claims ?? {}) as Record<string, string>, scopes: [] },
      },
    },
    body: body.length === 0 ? undefined : textual ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: body.length > 0 && !textual,
  } as APIGatewayProxyEventV2WithJWTAuthorizer;
}

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function serveStatic(pathname: string, res: ServerResponse, root: string): Promise<void> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    // A malformed %-escape is the client's mistake (as the API router answers it), not a crash.
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'bad-path', message: 'The path has a malformed %-escape.' }));
    return;
  }
  const relative = normalize(decoded).replace(/^(\.\.[/\\])+/, '');
  const file = join(root, relative.endsWith('/') ? `${relative}index.html` : relative);
  if (!file.startsWith(normalize(root))) {
    res.writeHead(403).end();
    return;
  }
  try {
    const content = await readFile(file);
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    res.end(content);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(pathname === '/' ? 'The dashboard is not built: run npm run build:web.' : 'Not found');
  }
}

/** Whether a route is served without a token (the router's list says; a bad path is not public). */
function isPublicRoute(method: string, path: string): boolean {
  try {
    return matchRoute(method, path)?.route.auth === false;
  } catch {
    return false;
  }
}
