/**
 * `npm run build`: bundles every Lambda of ours into dist/functions/<name>/index.mjs with the same
 * esbuild settings the CDK construct uses (infra/bundling.ts), and prints each bundle's size — the
 * number that drives cold-start time.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import {
  BUNDLE_SETTINGS,
  bundleSizes,
  esbuildOptions,
  FUNCTION_ENTRIES,
  type FunctionName,
  REPO_ROOT,
} from './bundling.ts';

/** Size report of one bundle. */
export interface BundleReport {
  readonly name: FunctionName;
  readonly file: string;
  /** What a cold start loads: `index.mjs` and the chunks it imports statically. */
  readonly bytes: number;
  /** Every chunk, the lazily loaded ones (Excel support) included. */
  readonly totalBytes: number;
  readonly gzipBytes: number;
  /** Largest contributors (npm package or first-party folder), biggest first. */
  readonly largest: readonly { readonly source: string; readonly bytes: number }[];
}

/** Bundles one function into `outDir/<name>/` (`index.mjs` and `chunks/`). */
export async function bundleFunction(name: FunctionName, outDir: string): Promise<BundleReport> {
  const outfile = join(outDir, name, BUNDLE_SETTINGS.outputFileName);
  rmSync(join(outDir, name), { recursive: true, force: true });
  mkdirSync(join(outDir, name), { recursive: true });
  const result = await build({
    ...esbuildOptions(name, join(outDir, name)),
    metafile: true,
    logLevel: 'warning',
  });
  const sizes = bundleSizes(result.metafile);
  return {
    name,
    file: relative(REPO_ROOT, outfile),
    bytes: sizes.initBytes,
    totalBytes: sizes.totalBytes,
    gzipBytes: gzipSync(readFileSync(outfile)).length,
    largest: largestSources(result.metafile, outfile),
  };
}

function largestSources(metafile: Metafile, outfile: string): { source: string; bytes: number }[] {
  const output = Object.entries(metafile.outputs).find(([path]) => outfile.endsWith(path))?.[1];
  if (!output) return [];
  const bySource = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
    const source = pkg ?? path.split('/').slice(0, 2).join('/');
    bySource.set(source, (bySource.get(source) ?? 0) + bytesInOutput);
  }
  return [...bySource.entries()]
    .map(([source, size]) => ({ source, bytes: size }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 3);
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

async function main(): Promise<void> {
  const outDir = join(REPO_ROOT, 'dist', 'functions');
  const names = Object.keys(FUNCTION_ENTRIES) as FunctionName[];
  const reports = await Promise.all(names.map((name) => bundleFunction(name, outDir)));
  for (const report of reports) {
    const largest = report.largest.map((entry) => `${entry.source} ${kib(entry.bytes)}`).join(', ');
    console.log(
      `${report.name.padEnd(8)} ${report.file.padEnd(32)} ${kib(report.bytes).padStart(11)} at init` +
        ` (${kib(report.totalBytes)} with lazy chunks; entry gzip ${kib(report.gzipBytes)})  largest: ${largest}`,
    );
  }
}

// Run when executed (`tsx infra/build-functions.ts`), not when imported.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
