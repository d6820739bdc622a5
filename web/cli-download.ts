import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliManifest } from './src/cli-link.ts';

const projectRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** Where the dashboard keeps the CLI files, under its build folder. */
export const CLI_FOLDER = 'cli';

/**
 * Puts the built CLI (`npm run build:cli` → `cli/dist/optally.mjs`) beside the dashboard build, so
 * the dashboard offers it for download with its SHA-256: `cli/optally-{version}-{sha8}.mjs`, its
 * bundled libraries' licences beside it, and `cli.json` (file name, path, size, SHA-256, version)
 * that the page reads. Content-addressed names, so they may be cached for ever; only `cli.json`
 * must be revalidated.
 *
 * When the CLI has not been built, nothing is staged (the page then shows no link) and the reason
 * is returned: building the dashboard never requires building the CLI.
 */
export async function stageCliDownload(
  outdir: string,
  cliDist: string = path.join(projectRoot, 'cli', 'dist'),
): Promise<{ staged: CliManifest } | { skipped: string }> {
  const source = path.join(cliDist, 'optally.mjs');
  const target = path.join(outdir, CLI_FOLDER);
  if (!existsSync(source)) {
    await rm(path.join(outdir, 'cli.json'), { force: true });
    return {
      skipped: `${path.relative(projectRoot, source)} does not exist: the dashboard offers no CLI download (run npm run build:cli, then build the dashboard again).`,
    };
  }
  const bytes = await readFile(source);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const { version } = JSON.parse(await readFile(path.join(projectRoot, 'cli', 'package.json'), 'utf8')) as {
    version: string;
  };
  const fileName = `optally-${version}-${sha256.slice(0, 8)}.mjs`;
  const licenses = `THIRD-PARTY-LICENSES-${sha256.slice(0, 8)}.txt`;
  await mkdir(target, { recursive: true });
  await writeFile(path.join(target, fileName), bytes);
  const licensesSource = path.join(cliDist, 'THIRD-PARTY-LICENSES.txt');
  const hasLicenses = existsSync(licensesSource);
  if (hasLicenses) await copyFile(licensesSource, path.join(target, licenses));
  const manifest: CliManifest = {
    fileName: `optally-${version}.mjs`,
    path: `${CLI_FOLDER}/${fileName}`,
    size: bytes.length,
    sha256,
    version,
    licenses: hasLicenses ? `${CLI_FOLDER}/${licenses}` : null,
  };
  const temporary = path.join(outdir, `.cli.json.${process.pid}.tmp`);
  await writeFile(temporary, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(temporary, path.join(outdir, 'cli.json'));
  // Earlier builds' files go only once cli.json names the new one.
  for (const name of await readdir(target)) {
    if (name !== fileName && name !== licenses) await rm(path.join(target, name), { force: true });
  }
  return { staged: manifest };
}
