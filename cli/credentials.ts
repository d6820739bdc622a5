import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { msg } from '../shared/i18n/text.ts';
import { CliError } from './errors.ts';

/**
 * What `optally login` keeps for one API: the refresh token and where to use it. No ID or access
 * token is kept: each command gets a fresh one with the refresh token.
 */
export type Credentials = {
  api: string;
  clientId: string;
  tokenEndpoint: string;
  revocationEndpoint: string;
  refreshToken: string;
  /** Who signed in, for `optally logout` and error messages (the ID token's email or sub). */
  user: string;
  signedInAt: string;
};

type CredentialsFile = { version: 1; sessions: Record<string, Credentials> };

/**
 * The credentials file: `$XDG_CONFIG_HOME/optally/credentials.json` (default `~/.config`), on
 * Windows `%APPDATA%\optally\credentials.json`, on macOS `~/Library/Application Support/optally/…`.
 * `OPTALLY_CONFIG_DIR` replaces the folder.
 */
export function credentialsPath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const folder =
    env.OPTALLY_CONFIG_DIR ||
    (platform === 'win32'
      ? join(env.APPDATA || join(homedir(), 'AppData', 'Roaming'), 'optally')
      : platform === 'darwin' && !env.XDG_CONFIG_HOME
        ? join(homedir(), 'Library', 'Application Support', 'optally')
        : join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'optally'));
  return join(folder, 'credentials.json');
}

/** The credentials saved for `api`, or null when nobody signed in to it on this machine. */
export async function loadCredentials(api: string, file = credentialsPath()): Promise<Credentials | null> {
  return (await readAll(file)).sessions[api] ?? null;
}

/**
 * Saves the credentials of `credentials.api`, keeping those of other APIs. The file is readable by
 * its owner only (0600, in a 0700 folder) and replaced atomically, so a crash never leaves half a file.
 */
export async function saveCredentials(credentials: Credentials, file = credentialsPath()): Promise<void> {
  const all = await readAll(file);
  all.sessions[credentials.api] = credentials;
  await writeAll(file, all);
}

/** Forgets the credentials of `api`; deletes the file when no other API's are left. */
export async function deleteCredentials(api: string, file = credentialsPath()): Promise<void> {
  const all = await readAll(file);
  delete all.sessions[api];
  if (Object.keys(all.sessions).length === 0) await rm(file, { force: true });
  else await writeAll(file, all);
}

async function readAll(file: string): Promise<CredentialsFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, sessions: {} };
    throw new CliError(
      msg('cli.credentials.unreadable', { file, reason: (e as Error).message }),
      2,
      'cli-error',
      {
        cause: e,
      },
    );
  }
  try {
    const parsed = JSON.parse(text) as Partial<CredentialsFile>;
    if (parsed.version === 1 && typeof parsed.sessions === 'object' && parsed.sessions !== null)
      return { version: 1, sessions: parsed.sessions };
  } catch {
    // reported below
  }
  throw new CliError(msg('cli.credentials.not-credentials', { file }));
}

async function writeAll(file: string, all: CredentialsFile): Promise<void> {
  // A folder made here is the owner's only (the umask may have widened it); an existing one is the
  // user's choice, and the file itself is 0600 anyway.
  const created = await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  if (created !== undefined) await chmod(dirname(file), 0o700);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, file);
}
