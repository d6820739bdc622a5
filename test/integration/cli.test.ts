import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { connect, createServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../cli/program.ts';
import { INLINE_MAX_BYTES } from '../../cli/validate.ts';
import { ROUTES } from '../../functions/api/routes.ts';
import { storedRollup } from '../../shared/app/read-rollup.ts';
import type { RollupView } from '../../shared/domain/rollup.ts';
import { aReturn } from '../support/builders.ts';
import { freshStack } from '../support/local-servers.ts';
import { type Ran, runCli } from '../support/run-cli.ts';

const OP = 'liberterra-iii';
const BIN = fileURLToPath(new URL('../../bin/optally.js', import.meta.url));

/**
 * The agency CLI, run as users run it from a clone (`node bin/optally.js …`, a child process)
 * against a fresh local stack; it finds the stack's secret through GET /local/info.
 */
describe('the optally CLI against the local stack', () => {
  let stack: Awaited<ReturnType<typeof freshStack>>;
  let work: string;

  /** Runs the CLI in the work folder with `--api` at the test stack (unless `args` name another). */
  function cli(args: string[], env: Record<string, string> = {}): Promise<Ran> {
    const withApi = args.includes('--api') ? args : [...args, '--api', stack.apiUrl];
    return runCli([process.execPath, BIN], withApi, { cwd: work, env });
  }

  /** Writes a file into the work folder and returns its path. */
  async function file(name: string, content: string): Promise<string> {
    const path = join(work, name);
    await writeFile(path, content);
    return path;
  }

  const sha256 = (content: string) => createHash('sha256').update(content).digest('hex');

  beforeAll(async () => {
    stack = await freshStack();
    work = await mkdtemp(join(tmpdir(), 'optally-cli-'));
  });
  afterAll(async () => {
    await stack.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it('uploads an accepted CSV: exit 0, the receipt with the SHA-256 computed locally, and the report', async () => {
    const content = aReturn()
      .withRow('2025-11-12', 'arrests', 12)
      .withRow('2025-11-12', 'victims_safeguarded', 9)
      .withRow('2025-11-12', 'victims_safeguarded', 3, 'exploitation=forced_labour')
      .csv();
    const path = await file('ke-return.csv', content);

    const run = await cli(['upload', path, '--operation', OP, '--country', 'KE']);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('ke-return.csv: ACCEPTED');
    expect(run.stdout).toContain(`The SHA-256 computed here matches the server's: ${sha256(content)}.`);
    expect(run.stderr).toContain('acting as the local agency of KE');
  });

  it('uploads a rejected CSV: exit 1, and each problem with its row, column, code and hint', async () => {
    const path = await file(
      'tg-return.csv',
      aReturn()
        .withRow('2025-11-12', 'arests', 4)
        .withRow('2025-11-13', 'arrests', -3)
        .withRow('2025-12-01', 'arrests', 2)
        .csv(),
    );

    const run = await cli(['upload', path, '--operation', OP, '--country', 'TG']);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('tg-return.csv: REJECTED');
    expect(run.stdout).toContain('Row 2, column metric: "arests"\n  error unknown-metric:');
    expect(run.stdout).toContain('→ Did you mean "arrests"?');
    expect(run.stdout).toContain('Row 3, column value: "-3"\n  error bad-value:');
    expect(run.stdout).toContain('Row 4, column date: "2025-12-01"\n  error date-outside-window:');
    expect(run.stdout).toContain('→ Dates must fall between 2025-11-10 and 2025-11-21.');
  });

  it('uploads a JSON return and, with --json, prints only JSON on stdout', async () => {
    const content = aReturn().withRow('2025-11-14', 'officers_deployed', 310).json(OP, 'GH');
    const path = await file('gh-return.json', content);

    const run = await cli(['upload', path, '--operation', OP, '--country', 'GH', '--json']);

    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({
      status: 'accepted',
      country: 'GH',
      fileName: 'gh-return.json',
      size: Buffer.byteLength(content),
      sha256: sha256(content),
      sha256Matches: true,
      report: { verdict: 'accepted' },
    });
  });

  it('validates as a dry run: exit 1 for a rejected file, 0 for an accepted one, and nothing counted', async () => {
    await stack.settled();
    const before = await storedRollup(stack, OP);
    const bad = await file('sn-bad.csv', aReturn().withRow('2025-11-12', 'arrests', '1,200').csv());
    const good = await file('sn-good.csv', aReturn().withRow('2025-11-12', 'arrests', 5).csv());

    const rejected = await cli(['validate', bad, '--operation', OP, '--country', 'SN']);
    const accepted = await cli(['validate', good, '--operation', OP, '--country', 'SN']);

    expect(rejected.code).toBe(1);
    expect(rejected.stdout).toContain('sn-bad.csv: REJECTED');
    expect(rejected.stdout).toContain('Dry run: nothing was stored or counted.');
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toContain('sn-good.csv: ACCEPTED');
    await stack.settled();
    const after = await storedRollup(stack, OP);
    expect(after?.version).toBe(before?.version);
    expect((JSON.parse(after?.body ?? '{}') as Partial<RollupView>).byCountry?.SN).toBeUndefined();
  });

  it('validates a file above 5 MB through a dry-run slot, streamed, without counting it', async () => {
    // Blank rows (as a spreadsheet exports them) make the file big while keeping it valid.
    const header = aReturn().withRow('2025-11-12', 'arrests', 8).csv();
    const blankRows = `${' '.repeat(200)}\n`.repeat(Math.ceil(INLINE_MAX_BYTES / 201) + 100);
    const path = await file('ml-big.csv', header + blankRows);

    const run = await cli(['validate', path, '--operation', OP, '--country', 'ML']);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('ml-big.csv: ACCEPTED');
    expect(run.stderr).toMatch(/Uploading ml-big\.csv: 5\.\d MB sent in/);
    expect(await stack.repo.listSubmissions(OP, 'ML', { limit: 10 })).toMatchObject({ submissions: [] });
  });

  it("lists a country's submissions and verdicts with status --json", async () => {
    await stack.putReturn(`incoming/${OP}/NE/first.csv`, aReturn().withRow('2025-11-12', 'arrests', 1).csv());
    await stack.putReturn(`incoming/${OP}/NE/second.csv`, aReturn().withRow('2025-11-12', 'arests', 1).csv());
    await stack.settled();

    const run = await cli(['status', '--operation', OP, '--country', 'NE', '--json']);

    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as {
      operations: { id: string; submissions: { key: string; status: string; errors: number }[] }[];
    };
    expect(out.operations.map((o) => o.id)).toEqual([OP]);
    const byFile = Object.fromEntries(
      (out.operations[0]?.submissions ?? []).map((s) => [s.key.split('/').at(-1), [s.status, s.errors]]),
    );
    expect(byFile).toEqual({ 'first.csv': ['accepted', 0], 'second.csv': ['rejected', 1] });
  });

  it('shows help with examples for every command', async () => {
    const program = buildProgram();
    for (const command of [program, ...program.commands]) {
      let help = '';
      command.configureOutput({ writeOut: (s) => (help += s) });
      command.outputHelp();
      expect(help, command.name()).toContain('Examples:\n  $ optally');
    }

    const run = await cli(['upload', '--help']);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: optally upload [options] <file>');
    expect(run.stdout).toContain('--api <url>');
  });

  it('exits 2 with what to do when nothing answers at --api', async () => {
    const port = await closedPort();

    const run = await cli(['status', '--country', 'KE', '--api', `http://127.0.0.1:${port}`]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `The local stack is not running at http://127.0.0.1:${port}: start it with npm start, or pass --api URL.`,
    );
  });

  it("exits 2 with the server's reason when the token may not act for the country", async () => {
    const path = await file('br-return.csv', aReturn().withRow('2025-11-12', 'arrests', 1).csv());

    const run = await cli(['upload', path, '--operation', OP, '--country', 'BR'], {
      OPTALLY_TOKEN: await stack.tokens.agency('KE'),
    });

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('(403 forbidden): An agency of KE may not act for BR.');
  });

  it('downloads the template where the API serves one, and otherwise says so and exits 2', async () => {
    const served = ROUTES.some((r) => r.pattern.includes('template'));

    const run = await cli(['template', '--operation', OP, '--format', 'csv', '--country', 'KE']);

    if (served) {
      expect(run.code).toBe(0);
      expect(existsSync(join(work, `${OP}-template.csv`))).toBe(true);
    } else {
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`has no return template to download (GET /operations/${OP}/template.csv`);
    }
  });

  it('prints a token for the local stack with optally token, and the API accepts it', async () => {
    const minted = await cli(['token', 'agency', 'KE']);

    const run = await cli(['status', '--operation', OP, '--json'], { OPTALLY_TOKEN: minted.stdout.trim() });

    expect(minted.code).toBe(0);
    expect(run.code).toBe(0);
  });

  it.each([
    ['answers 404 to /local/info (as API Gateway does)', 404, '{"message":"Not Found"}'],
    ['answers a web page to /local/info (as a CDN with a dashboard does)', 200, '<!doctype html><p>hi</p>'],
  ])('signs no token for an API on this machine that %s', async (_case, status, body) => {
    const server = await listen(createHttpServer((_req, res) => res.writeHead(status).end(body)));
    const api = `http://127.0.0.1:${port(server)}`;

    const run = await cli(['status', '--country', 'KE', '--api', api]);
    const token = await cli(['token', 'agency', 'KE', '--api', api]);
    server.close();

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `No token: sign in with optally login --api ${api}, or set OPTALLY_TOKEN to your optally token. (The CLI signs its own tokens only for a local stack on this machine, and ${api} is not one.)`,
    );
    expect(token.code).toBe(2);
    expect(token.stderr).toContain(`${api} is not a local stack`);
  });

  it('goes through HTTP_PROXY unless NO_PROXY names the host, and always straight to this machine', async () => {
    const proxy = await tunnellingProxy();
    const gatewayPort = new URL(stack.apiUrl).port;
    // A host name only the proxy knows: reaching it at all proves the request went through the proxy.
    const remote = `http://optally.test:${gatewayPort}`;
    const env = { OPTALLY_TOKEN: await stack.tokens.agency('KE'), HTTP_PROXY: proxy.url };

    const proxied = await cli(['status', '--operation', OP, '--api', remote], env);
    const bypassed = await cli(['status', '--operation', OP, '--api', remote], {
      ...env,
      NO_PROXY: 'example.org,optally.test',
    });
    const local = await cli(['status', '--operation', OP], env);
    proxy.server.close();

    expect(proxied.code).toBe(0);
    expect(bypassed.code).toBe(2);
    expect(bypassed.stderr).toContain(`Cannot reach ${remote} (ENOTFOUND)`);
    expect(local.code).toBe(0);
    expect(new Set(proxy.tunnels)).toEqual(new Set([`optally.test:${gatewayPort}`]));
  });
});

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = await listen(createServer());
  const free = port(server);
  await new Promise((ok) => server.close(ok));
  return free;
}

/** Starts a server on a free loopback port. */
async function listen<T extends NetServer>(server: T): Promise<T> {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  return server;
}

/** The port a listening server took. */
function port(server: NetServer): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/**
 * An HTTP proxy that tunnels every CONNECT to the same port on 127.0.0.1, whatever host it names
 * (so test host names resolve only through it), and records the targets asked for.
 */
async function tunnellingProxy(): Promise<{ server: Server; url: string; tunnels: string[] }> {
  const tunnels: string[] = [];
  const server = createHttpServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    tunnels.push(target);
    const upstream = connect(Number(target.split(':').at(-1)), '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await listen(server);
  return { server, url: `http://127.0.0.1:${port(server)}`, tunnels };
}
