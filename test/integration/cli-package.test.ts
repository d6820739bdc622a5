import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aReturn } from '../support/builders.ts';
import { freshStack } from '../support/local-servers.ts';
import { runCli } from '../support/run-cli.ts';

const OP = 'liberterra-iii';
const REPO = fileURLToPath(new URL('../..', import.meta.url));
/** Packages that belong to the repository's development and local stack, never to an agency's install. */
const NOT_FOR_AGENCIES = [
  'dynalite',
  's3rver',
  'exceljs',
  'aws-cdk',
  'aws-cdk-lib',
  'tsx',
  'esbuild',
  'typescript',
  'vitest',
];

/**
 * The CLI as an agency gets it: `npm pack -w cli` (which builds the bundle), then the tarball
 * installed with `--omit=dev` into an empty folder, offline (the package has no dependencies), and
 * run from there against a local stack — nothing of the clone is reachable from that folder.
 */
describe('the optally CLI package, packed and installed', () => {
  let stack: Awaited<ReturnType<typeof freshStack>>;
  let work: string;
  let agency: string;
  let tarballBytes: number;

  beforeAll(async () => {
    stack = await freshStack();
    work = await mkdtemp(join(tmpdir(), 'optally-package-'));
    agency = join(work, 'agency');
    await mkdir(agency);
    await npm(['pack', '-w', 'cli', '--pack-destination', work], REPO);
    const tarball = (await readdir(work)).find((f) => /^optally-cli-.*\.tgz$/.test(f));
    if (!tarball) throw new Error(`npm pack -w cli wrote no optally-cli-*.tgz into ${work}`);
    tarballBytes = (await stat(join(work, tarball))).size;
    await npm(['install', '--omit=dev', '--offline', '--no-audit', '--no-fund', join(work, tarball)], agency);
  }, 180_000);
  afterAll(async () => {
    await stack?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it('installs the CLI alone: none of the development or local-stack packages', async () => {
    const modules = join(agency, 'node_modules');
    const installed = await packagesIn(modules);
    const bytes = await sizeOf(modules);

    console.log(
      `optally CLI: tarball ${kib(tarballBytes)}; installed ${kib(bytes)} in ${installed.length} package(s): ${installed.join(', ')}`,
    );
    for (const name of NOT_FOR_AGENCIES) expect(installed).not.toContain(name);
    expect(installed).toContain('@optally/cli');
  });

  it('uploads a return to the local stack with the installed optally command', async () => {
    const content = aReturn().withRow('2025-11-12', 'arrests', 7).csv();
    await writeFile(join(agency, 'ci-return.csv'), content);
    const optally = join(agency, 'node_modules', '.bin', 'optally');

    const run = await runCli(
      [optally],
      ['upload', 'ci-return.csv', '--operation', OP, '--country', 'CI', '--api', stack.apiUrl],
      { cwd: agency },
    );

    expect(run.stderr).toContain('acting as the local agency of CI');
    expect(run.stdout).toContain('ci-return.csv: ACCEPTED');
    expect(run.code).toBe(0);
  });
});

/** Runs npm in `cwd` without the npm_* variables of an npm script that may have started the tests. */
async function npm(args: string[], cwd: string): Promise<void> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  await promisify(execFile)('npm', args, { cwd, env, maxBuffer: 16 * 1024 * 1024 });
}

/** The packages installed in a node_modules folder (`name` or `@scope/name`). */
async function packagesIn(modules: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(modules)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) out.push(...(await readdir(join(modules, entry))).map((n) => `${entry}/${n}`));
    else out.push(entry);
  }
  return out.sort();
}

/** Bytes of every file under `dir` (links not followed). */
async function sizeOf(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KiB`;
}
