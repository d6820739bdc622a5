import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Credentials,
  credentialsPath,
  deleteCredentials,
  loadCredentials,
  saveCredentials,
} from '../../cli/credentials.ts';

/** Credentials as `optally login` saves them for `api`. */
function aSignIn(api: string, refreshToken = 'rt-1'): Credentials {
  return {
    api,
    clientId: 'client-1',
    tokenEndpoint: 'https://optally-1.auth.eu-west-1.amazoncognito.com/oauth2/token',
    revocationEndpoint: 'https://optally-1.auth.eu-west-1.amazoncognito.com/oauth2/revoke',
    refreshToken,
    user: 'agency@br.example',
    signedInAt: '2025-11-12T10:00:00.000Z',
  };
}

describe('credentialsPath', () => {
  it('follows XDG_CONFIG_HOME, else ~/.config, on Linux', () => {
    expect(credentialsPath({ XDG_CONFIG_HOME: '/cfg' }, 'linux')).toBe('/cfg/optally/credentials.json');
    expect(credentialsPath({}, 'linux')).toBe(join(homedir(), '.config', 'optally', 'credentials.json'));
  });

  it('uses APPDATA on Windows and Application Support on macOS', () => {
    expect(credentialsPath({ APPDATA: '/appdata' }, 'win32')).toBe(
      join('/appdata', 'optally', 'credentials.json'),
    );
    expect(credentialsPath({}, 'darwin')).toBe(
      join(homedir(), 'Library', 'Application Support', 'optally', 'credentials.json'),
    );
  });

  it('lets OPTALLY_CONFIG_DIR choose the folder', () => {
    expect(credentialsPath({ OPTALLY_CONFIG_DIR: '/x', XDG_CONFIG_HOME: '/cfg' }, 'linux')).toBe(
      '/x/credentials.json',
    );
  });
});

describe('the credentials file', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'optally-credentials-'));
    file = join(dir, 'optally', 'credentials.json');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('is created readable by its owner only, in a folder only the owner can enter', async () => {
    await saveCredentials(aSignIn('https://a.example'), file);

    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'optally'))).mode & 0o777).toBe(0o700);
  });

  it('keeps one sign-in per API, and a new sign-in replaces the old one of its API', async () => {
    await saveCredentials(aSignIn('https://a.example', 'rt-a1'), file);
    await saveCredentials(aSignIn('https://b.example', 'rt-b'), file);
    await saveCredentials(aSignIn('https://a.example', 'rt-a2'), file);

    expect((await loadCredentials('https://a.example', file))?.refreshToken).toBe('rt-a2');
    expect((await loadCredentials('https://b.example', file))?.refreshToken).toBe('rt-b');
    expect(await loadCredentials('https://c.example', file)).toBeNull();
  });

  it('forgets one API, and disappears with the last one', async () => {
    await saveCredentials(aSignIn('https://a.example'), file);
    await saveCredentials(aSignIn('https://b.example'), file);

    await deleteCredentials('https://a.example', file);
    expect(Object.keys(JSON.parse(await readFile(file, 'utf8')).sessions)).toEqual(['https://b.example']);

    await deleteCredentials('https://b.example', file);
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a file that is not a credentials file, saying to delete it', async () => {
    await saveCredentials(aSignIn('https://a.example'), file);
    await writeFile(file, '{"something":"else"}');

    await expect(loadCredentials('https://a.example', file)).rejects.toThrow(
      `${file} is not an optally credentials file: delete it and run optally login again.`,
    );
  });
});
