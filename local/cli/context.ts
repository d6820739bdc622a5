import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { Role } from '../../shared/domain/policy.ts';
import { LocalIssuer } from '../local-auth.ts';
import { ApiClient } from './api-client.ts';
import { CliError, type ExitCode, explain } from './errors.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The local stack's data folder, which holds its token secret: OPTALLY_DATA_DIR, else `.data/`. */
export function dataDir(): string {
  return resolve(process.env.OPTALLY_DATA_DIR ?? join(ROOT, '.data'));
}

/** The API the CLI talks to unless `--api` says otherwise: OPTALLY_API, else the local stack on PORT. */
export function defaultApi(): string {
  return process.env.OPTALLY_API ?? `http://127.0.0.1:${process.env.PORT ?? '3000'}`;
}

/** The options every command takes. */
export type GlobalOptions = { api: string; json?: boolean; role?: Role };

/** What a command produced: its exit code, the text for people and the JSON for scripts. */
export type Outcome = { exitCode: ExitCode; text: string; json: unknown };

/** A progress or status line for people: always stderr, so stdout holds only the result. */
export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}

/**
 * An API client acting as the user: with OPTALLY_TOKEN when it is set; otherwise, on the local
 * stack only, with a token the CLI signs itself for `--country CC` (an agency) or `--role`.
 */
export async function connect(opts: GlobalOptions, country: string | undefined): Promise<ApiClient> {
  const token = process.env.OPTALLY_TOKEN?.trim();
  if (token) {
    if (opts.role)
      note(`optally: --role ${opts.role} is ignored: OPTALLY_TOKEN is set and says who you are.`);
    return new ApiClient(opts.api, token, { kind: 'env' });
  }
  const health = await new ApiClient(opts.api, null).getJson<{ local?: unknown }>('/health');
  if (!health.local) {
    throw new CliError(
      `No token: set OPTALLY_TOKEN to your optally token. (The CLI signs its own tokens only for the local stack, and ${opts.api} is not one.)`,
    );
  }
  const role: Role | null = opts.role ?? (country ? 'agency' : null);
  if (!role) {
    throw new CliError(
      'Say who you act as on the local stack: --country CC for an agency, or --role coordinator|auditor|admin (or set OPTALLY_TOKEN).',
    );
  }
  if (role === 'agency' && !country)
    throw new CliError('--role agency needs --country CC, e.g. --country BR.');
  const secretFile = join(dataDir(), 'jwt-secret');
  if (!existsSync(secretFile)) {
    throw new CliError(
      `The local stack at ${opts.api} is running, but there is no token secret at ${secretFile}: set OPTALLY_DATA_DIR to the data folder npm start prints, or set OPTALLY_TOKEN.`,
    );
  }
  const issuer = await LocalIssuer.open(dataDir());
  const minted = await issuer.token(role, role === 'agency' ? country : undefined, '1h');
  note(
    `optally: no OPTALLY_TOKEN set; acting as the local ${role}${role === 'agency' ? ` of ${country}` : ''} (token signed with ${secretFile}).`,
  );
  return new ApiClient(opts.api, minted, { kind: 'minted', secretFile });
}

/**
 * Runs a command's work and prints its outcome: text on stdout, or with `--json` only JSON on
 * stdout. An error is explained on stderr (and as `{ "error": … }` on stdout with `--json`); the
 * process exits with the outcome's code.
 */
export async function run(cmd: Command, work: (globals: GlobalOptions) => Promise<Outcome>): Promise<void> {
  const globals = cmd.optsWithGlobals<GlobalOptions>();
  try {
    const outcome = await work(globals);
    if (globals.json) process.stdout.write(`${JSON.stringify(outcome.json, null, 2)}\n`);
    else if (outcome.text)
      process.stdout.write(outcome.text.endsWith('\n') ? outcome.text : `${outcome.text}\n`);
    process.exitCode = outcome.exitCode;
  } catch (e) {
    const { exitCode, message, code, status } = explain(e);
    process.stderr.write(`optally: ${message}\n`);
    if (globals.json)
      process.stdout.write(`${JSON.stringify({ error: { code, status, message } }, null, 2)}\n`);
    process.exitCode = exitCode;
  }
}
