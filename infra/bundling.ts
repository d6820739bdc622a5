/**
 * The one definition of how our Lambda handlers are bundled. Both the CDK construct
 * (`optally-function.ts`) and `npm run build` (`build-functions.ts`) read these values, so what
 * `npm run build` measures is what `cdk deploy` ships.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions, Metafile } from 'esbuild';

/** Absolute path of the repository root (the folder holding package.json). */
export const REPO_ROOT: string = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every Lambda of ours: its name (folder under functions/, and under dist/functions/) and entry file. */
export const FUNCTION_ENTRIES = {
  ingest: 'functions/ingest/handler.ts',
  api: 'functions/api/handler.ts',
  notify: 'functions/notify/handler.ts',
} as const;

/** Name of one of our Lambdas. */
export type FunctionName = keyof typeof FUNCTION_ENTRIES;

/**
 * ESM bundles cannot call `require`, but some CommonJS dependencies do (dynamic `require('stream')`
 * and friends); this banner gives the bundle a `require` bound to its own URL.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __optallyCreateRequire } from 'node:module'; const require = __optallyCreateRequire(import.meta.url);";

/**
 * Bundle settings shared by the construct and the build script.
 *
 * - `target` matches the Lambda runtime (nodejs24.x): no down-levelling of syntax Node 24 runs natively.
 * - `externals` is empty on purpose: the AWS SDK v3 clients are bundled rather than taken from the
 *   runtime, so the code runs against the exact versions the tests ran against (and
 *   `@aws-sdk/s3-presigned-post` is not in the runtime at all).
 * - `mainFields` prefers ES module builds, which tree-shake better.
 * - `splitting`: every dynamic `import()` becomes a chunk of its own under `chunks/`, loaded on
 *   first use — Excel support (exceljs, jszip: about 1 MB) is read from disk only by a request that
 *   reads or writes a workbook, so a cold start loads the rest alone.
 */
export const BUNDLE_SETTINGS = {
  format: 'esm',
  platform: 'node',
  target: 'node24',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'] as string[],
  externals: [] as string[],
  banner: ESM_REQUIRE_BANNER,
  /** Lambda resolves `index.handler` to `index.mjs` because the bundle is ESM. */
  outputFileName: 'index.mjs',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
} as const;

/** Absolute path of a function's entry file. */
export function entryPath(name: FunctionName): string {
  return join(REPO_ROOT, FUNCTION_ENTRIES[name]);
}

/**
 * The esbuild options for one function, as deployed: `outdir` receives `index.mjs` (the handler)
 * and its chunks. Callers may override (e.g. `external`).
 */
export function esbuildOptions(name: FunctionName, outdir: string): BuildOptions {
  return {
    entryPoints: { index: entryPath(name) },
    outdir,
    outExtension: { '.js': '.mjs' },
    splitting: BUNDLE_SETTINGS.splitting,
    chunkNames: BUNDLE_SETTINGS.chunkNames,
    bundle: true,
    platform: BUNDLE_SETTINGS.platform,
    target: BUNDLE_SETTINGS.target,
    format: BUNDLE_SETTINGS.format,
    minify: BUNDLE_SETTINGS.minify,
    sourcemap: BUNDLE_SETTINGS.sourcemap,
    sourcesContent: BUNDLE_SETTINGS.sourcesContent,
    mainFields: [...BUNDLE_SETTINGS.mainFields],
    external: [...BUNDLE_SETTINGS.externals],
    banner: { js: BUNDLE_SETTINGS.banner },
  };
}

/**
 * The sizes of a split bundle, from its metafile: `initBytes`, what a cold start reads (the entry
 * and every chunk it imports statically, transitively), and `totalBytes`, every JavaScript file
 * (the lazy chunks too). Source maps are counted in neither.
 */
export function bundleSizes(metafile: Metafile): { initBytes: number; totalBytes: number; entry: string } {
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((f) => f.endsWith(`/${BUNDLE_SETTINGS.outputFileName}`));
  if (!entry)
    throw new Error(`no ${BUNDLE_SETTINGS.outputFileName} among ${Object.keys(outputs).join(', ')}`);
  const loaded = new Set<string>();
  const next = [entry];
  while (next.length > 0) {
    const file = next.pop() as string;
    if (loaded.has(file)) continue;
    loaded.add(file);
    for (const i of outputs[file]?.imports ?? [])
      if (i.kind === 'import-statement' && !i.external) next.push(i.path);
  }
  const js = Object.entries(outputs).filter(([f]) => !f.endsWith('.map'));
  return {
    entry,
    initBytes: [...loaded].reduce((sum, f) => sum + (outputs[f]?.bytes ?? 0), 0),
    totalBytes: js.reduce((sum, [, o]) => sum + o.bytes, 0),
  };
}
