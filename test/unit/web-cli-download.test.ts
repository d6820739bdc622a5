import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stageCliDownload } from '../../web/cli-download.ts';
import { isCliManifest } from '../../web/src/cli-link.ts';

const folders: string[] = [];
async function folder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'optally-cli-download-'));
  folders.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true });
});

const { version } = JSON.parse(await readFile('cli/package.json', 'utf8')) as { version: string };

describe('the CLI offered beside the dashboard', () => {
  it('is staged under a content-addressed name, with a cli.json giving its size, SHA-256 and version', async () => {
    const [cliDist, out] = [await folder(), await folder()];
    const bundle = '#!/usr/bin/env node\nconsole.log("optally");\n';
    await writeFile(join(cliDist, 'optally.mjs'), bundle);
    await writeFile(join(cliDist, 'THIRD-PARTY-LICENSES.txt'), 'MIT …');
    const sha256 = createHash('sha256').update(bundle).digest('hex');

    const result = await stageCliDownload(out, cliDist);

    const manifest = JSON.parse(await readFile(join(out, 'cli.json'), 'utf8')) as unknown;
    expect(result).toEqual({ staged: manifest });
    expect(manifest).toEqual({
      fileName: `optally-${version}.mjs`,
      path: `cli/optally-${version}-${sha256.slice(0, 8)}.mjs`,
      size: Buffer.byteLength(bundle),
      sha256,
      version,
      licenses: `cli/THIRD-PARTY-LICENSES-${sha256.slice(0, 8)}.txt`,
    });
    expect(isCliManifest(manifest)).toBe(true);
    expect(await readFile(join(out, `cli/optally-${version}-${sha256.slice(0, 8)}.mjs`), 'utf8')).toBe(
      bundle,
    );
  });

  it('replaces an earlier build’s files', async () => {
    const [cliDist, out] = [await folder(), await folder()];
    await writeFile(join(cliDist, 'optally.mjs'), 'first');
    await stageCliDownload(out, cliDist);
    await writeFile(join(cliDist, 'optally.mjs'), 'second');

    await stageCliDownload(out, cliDist);

    const sha = createHash('sha256').update('second').digest('hex').slice(0, 8);
    expect(await readdir(join(out, 'cli'))).toEqual([`optally-${version}-${sha}.mjs`]);
  });

  it('stages nothing, and says why, when the CLI has not been built', async () => {
    const [cliDist, out] = [await folder(), await folder()];
    await writeFile(join(out, 'cli.json'), '{}');

    const result = await stageCliDownload(out, cliDist);

    expect(result).toEqual({ skipped: expect.stringContaining('run npm run build:cli') });
    expect(await readdir(out)).toEqual([]);
  });

  it('is offered by the page only for a manifest naming a relative path and a SHA-256', () => {
    const good = {
      fileName: 'optally.mjs',
      path: 'cli/x.mjs',
      size: 1,
      sha256: 'a'.repeat(64),
      version: '1',
    };
    expect(isCliManifest(good)).toBe(true);
    expect(isCliManifest({ ...good, path: 'https://elsewhere.example/x.mjs' })).toBe(false);
    expect(isCliManifest({ ...good, path: '//elsewhere.example/x.mjs' })).toBe(false);
    expect(isCliManifest({ ...good, sha256: 'not-a-digest' })).toBe(false);
    expect(isCliManifest(null)).toBe(false);
  });
});
