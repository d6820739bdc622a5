import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import type { LocalStackInfo } from '../local/gateway.ts';
import { LocalIssuer } from '../local/local-auth.ts';
import type { Role } from '../shared/domain/policy.ts';
import { msg } from '../shared/i18n/text.ts';
import { ApiClient } from './api-client.ts';
import { ApiError, CliError } from './errors.ts';
import { say } from './lang.ts';
import { isLoopback } from './network.ts';

/**
 * Everything the CLI does only for a local stack (`npm start`) lives here: finding out that `--api`
 * is one, and signing tokens with its secret. A URL that is not on this machine is never asked,
 * so a deployed API is never taken for a local stack, whatever it answers.
 */

/**
 * The local stack at `api`, as it describes itself at GET /local/info, or null when `api` is not
 * a loopback URL or what answers there is not a local stack. Throws when nothing answers.
 */
export async function localStack(api: string): Promise<LocalStackInfo | null> {
  if (!isLoopback(api)) return null;
  let text: string;
  try {
    text = await new ApiClient(api, null).getText('/local/info');
  } catch (e) {
    if (e instanceof ApiError) return null;
    throw e;
  }
  try {
    const info = JSON.parse(text) as Partial<LocalStackInfo>;
    return info.service === 'optally-local' ? (info as LocalStackInfo) : null;
  } catch {
    return null;
  }
}

/** Who to act as on the local stack: `role`, or an agency when only a country is given. */
export type LocalActor = { role?: Role | undefined; country?: string | undefined };

/**
 * A client for the local stack at `api` acting as `actor`, with a token signed with the stack's
 * secret (valid one hour). Says on stderr who it acts as; throws when `api` is not a local stack.
 */
export async function localClient(
  api: string,
  actor: LocalActor,
  note: (line: string) => void,
): Promise<ApiClient> {
  const stack = await localStack(api);
  if (!stack) {
    throw new CliError(msg('cli.local.no-token', { api }));
  }
  const role: Role | null = actor.role ?? (actor.country ? 'agency' : null);
  if (!role) {
    throw new CliError(msg('cli.local.who'));
  }
  if (role === 'agency' && !actor.country) throw new CliError(msg('cli.local.agency-country'));
  const country = role === 'agency' ? actor.country : undefined;
  const { token, secretFile } = await sign(api, stack, role, country, '1h');
  note(say('cli.local.acting-as', { role, country: country ?? 'none', secretFile }));
  return new ApiClient(api, token, { kind: 'minted', secretFile });
}

/** A token for `role` (and an agency's country) signed with the secret of the local stack at `api`. */
export async function localToken(
  api: string,
  role: Role,
  country: string | undefined,
  expiresIn: string,
): Promise<string> {
  const stack = await localStack(api);
  if (!stack) {
    throw new CliError(msg('cli.local.not-local', { api }));
  }
  return (await sign(api, stack, role, country, expiresIn)).token;
}

async function sign(
  api: string,
  stack: LocalStackInfo,
  role: Role,
  country: string | undefined,
  expiresIn: string,
): Promise<{ token: string; secretFile: string }> {
  const secretFile = join(stack.dataDir, 'jwt-secret');
  // LocalIssuer.open would create a missing secret: the CLI only ever uses the one the stack made.
  try {
    accessSync(secretFile, constants.R_OK);
  } catch (e) {
    throw new CliError(
      msg('cli.local.secret-unreadable', {
        api,
        secretFile,
        reason: (e as { code?: string }).code ?? String(e),
      }),
      undefined,
      undefined,
      { cause: e },
    );
  }
  const issuer = await LocalIssuer.open(stack.dataDir);
  return { token: await issuer.token(role, country, expiresIn), secretFile };
}
