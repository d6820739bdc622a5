import { spawnSync } from 'node:child_process';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import {
  BUNDLE_SETTINGS,
  bundleSizes,
  esbuildOptions,
  FUNCTION_ENTRIES,
  type FunctionName,
  REPO_ROOT,
} from '../infra/bundling.ts';

export type BundleResult = {
  function: FunctionName;
  /**
   * `bundled`: everything in the bundle (as deployed); `sdk-external`: `@aws-sdk/*` left to the
   * runtime; `no-xlsx (what-if)`: bundled, with exceljs and jszip replaced by empty stubs — the
   * bundle cannot read workbooks; it shows what loading Excel support on demand would save.
   */
  variant: 'bundled' | 'sdk-external' | 'no-xlsx (what-if)';
  /** What a cold start loads: index.mjs and the chunks it imports statically. */
  bytes: number;
  /** Every chunk, lazily loaded ones (Excel support) included. */
  totalBytes: number;
  sourceMapBytes: number;
  /** Median of `runs` fresh processes: the bundle's import (module load and init code). */
  importMs: number;
  /** The same without NODE_OPTIONS=--enable-source-maps (which parses the source map at load). */
  importNoSourceMapsMs: number;
  /** Median wall time of the whole `node -e "await import(bundle)"` process, Node's own start-up included. */
  processMs: number;
  runs: number;
};

/**
 * Each Lambda bundle built with the deployment's esbuild settings (infra/bundling.ts), with and
 * without `@aws-sdk/*` external, then imported in fresh Node processes with the environment the
 * function gets (TABLE_NAME, BUCKET_NAME, NODE_OPTIONS=--enable-source-maps): the size and the
 * init time a cold start pays on top of the runtime's own start. Also Node's bare start-up.
 */
export async function measureBundles(runs = 5): Promise<{ nodeStartMs: number; bundles: BundleResult[] }> {
  // Inside the repository, so that an external @aws-sdk/* resolves from its node_modules.
  const dir = join(REPO_ROOT, 'bench-results', 'bundles');
  await rm(dir, { recursive: true, force: true });
  try {
    const nodeStartMs = median(Array.from({ length: runs }, () => timeProcess(['-e', '0'])));
    const bundles: BundleResult[] = [];
    for (const name of Object.keys(FUNCTION_ENTRIES) as FunctionName[]) {
      for (const variant of ['bundled', 'sdk-external', 'no-xlsx (what-if)'] as const) {
        const folder = join(dir, `${name}-${variant.split(' ')[0]}`);
        const outfile = join(folder, BUNDLE_SETTINGS.outputFileName);
        await mkdir(folder, { recursive: true });
        const built = await build({
          ...esbuildOptions(name, folder),
          metafile: true,
          ...(variant === 'sdk-external' ? { external: ['@aws-sdk/*'] } : {}),
          plugins: variant === 'no-xlsx (what-if)' ? [stubbed(['exceljs', 'jszip'])] : [],
          logLevel: 'warning',
        });
        const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(outfile).href)}); console.log(performance.now() - t);`;
        const imports: number[] = [];
        const importsNoMaps: number[] = [];
        const processes: number[] = [];
        for (let i = 0; i < runs; i++) {
          const args = ['--input-type=module', '-e', script];
          processes.push(timeProcess(args, (out) => imports.push(Number(out))));
          timeProcess(args, (out) => importsNoMaps.push(Number(out)), '');
        }
        bundles.push({
          function: name,
          variant,
          bytes: bundleSizes(built.metafile).initBytes,
          totalBytes: bundleSizes(built.metafile).totalBytes,
          sourceMapBytes: (await stat(`${outfile}.map`).catch(() => ({ size: 0 }))).size,
          importMs: median(imports),
          importNoSourceMapsMs: median(importsNoMaps),
          processMs: median(processes),
          runs,
        });
      }
    }
    return { nodeStartMs, bundles };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Wall time of one fresh `node …` process, in ms; `onOutput` gets its trimmed stdout. */
function timeProcess(
  args: string[],
  onOutput?: (stdout: string) => void,
  nodeOptions = '--enable-source-maps',
): number {
  const started = performance.now();
  const out = spawnSync(process.execPath, args, {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      TABLE_NAME: 'optally',
      BUCKET_NAME: 'optally-uploads',
      AWS_REGION: 'us-east-1',
      MAX_RECEIVES: '5',
      SIGNING_KEY_ID: 'arn:aws:kms:us-east-1:123456789012:key/bench',
      MAIL_FROM: 'optally@bench.example.org',
      MAIL_CONFIGURATION_SET: 'optally-bench',
      NODE_OPTIONS: nodeOptions,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  const ms = performance.now() - started;
  if (out.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${out.stderr}`);
  onOutput?.(out.stdout.trim());
  return ms;
}

/** An esbuild plugin resolving the named packages to an empty module. */
function stubbed(packages: string[]): Plugin {
  const filter = new RegExp(`^(${packages.join('|')})$`);
  return {
    name: 'stubbed',
    setup: (b) => {
      b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'stubbed' }));
      b.onLoad({ filter: /.*/, namespace: 'stubbed' }, () => ({
        contents: 'export default {};',
        loader: 'js',
      }));
    },
  };
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
