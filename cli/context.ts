import type { Command } from 'commander';
import type { Role } from '../shared/domain/policy.ts';
import { ApiClient } from './api-client.ts';
import { type ExitCode, explain } from './errors.ts';
import { loadCliLocale, say } from './lang.ts';
import { localClient } from './local-stack.ts';
import { signedInToken } from './login.ts';

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
 * An API client acting as the user: with OPTALLY_TOKEN when it is set; else with a fresh ID token
 * from the sign-in `optally login` saved for this API; otherwise, on a local stack only, with a
 * token the CLI signs itself for `--country CC` (an agency) or `--role`.
 */
export async function connect(opts: GlobalOptions, country: string | undefined): Promise<ApiClient> {
  const token = process.env.OPTALLY_TOKEN?.trim();
  if (!token) {
    const signedIn = await signedInToken(opts.api);
    if (signedIn) {
      if (opts.role) note(say('cli.role-ignored.signed-in', { role: opts.role }));
      return new ApiClient(opts.api, signedIn, { kind: 'signed-in' });
    }
    return localClient(opts.api, { role: opts.role, country }, note);
  }
  if (opts.role) note(say('cli.role-ignored.token', { role: opts.role }));
  return new ApiClient(opts.api, token, { kind: 'env' });
}

/**
 * Runs a command's work and prints its outcome: text on stdout, or with `--json` only JSON on
 * stdout. The CLI's language (`--lang`, OPTALLY_LANG, the system locale) is chosen first: its
 * lines, its errors and the API's are in it. An error is explained on stderr (and as
 * `{ "error": … }` on stdout with `--json`, its code unchanged in every language); the process
 * exits with the outcome's code.
 */
export async function run(cmd: Command, work: (globals: GlobalOptions) => Promise<Outcome>): Promise<void> {
  const globals = cmd.optsWithGlobals<GlobalOptions & { lang?: string }>();
  try {
    await loadCliLocale(globals.lang);
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
