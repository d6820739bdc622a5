import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { ESM_REQUIRE_BANNER } from '../infra/bundling.ts';
import { windowDates } from '../shared/domain/operation.ts';
import { syntheticOperation } from './synthetic.ts';

/** The operation of the big return: 20 days × 50 metrics × (1 total + 1,000 units) = 1,001,000 cells. */
const SHAPE = { days: 20, metrics: 50, units: 1000 } as const;

/** One reader's run over the file, measured in a fresh process. */
export type StreamRun = {
  rows: number;
  ms: number;
  rowsPerSecond: number;
  /** Peak resident set of the whole process (VmHWM), in MiB. */
  peakRssMiB: number;
  verdict?: string;
  /** handler: bytes of the stored report (JSON) and of the country item's gzipped figures. */
  reportBytes?: number;
  itemBytes?: number;
};

export type StreamResult = {
  rows: number;
  fileMiB: number;
  parser: StreamRun;
  ingest: StreamRun;
  /** `ingest`, then the stored report's JSON and the country item's gzipped figures, as the handler builds them. */
  handler: StreamRun;
  /** ingest rows/s ÷ parser rows/s. */
  ratio: number;
};

/**
 * Streaming ingest of a `rows`-row CSV return read from disk: `readReturn` (the ingest's parser
 * and checker) against the bare csv-parse parser reading the same bytes. Each reader runs in a
 * fresh Node process from an esbuild bundle (as on Lambda), so its peak RSS is its own
 * (`VmHWM`), not the benchmark's.
 */
export async function measureStreamingIngest(rows: number): Promise<StreamResult> {
  const dir = await mkdtemp(join(tmpdir(), 'optally-stream-'));
  try {
    const file = join(dir, 'return.csv');
    await writeSyntheticReturn(file, rows);
    const fileMiB = (await stat(file)).size / 2 ** 20;
    const child = await bundleChild(dir);
    const parser = await runChild(child, 'parser', file);
    const ingest = await runChild(child, 'ingest', file);
    const handler = await runChild(child, 'handler', file);
    if (ingest.verdict !== 'accepted') throw new Error(`the ${rows}-row return was ${ingest.verdict}`);
    return { rows, fileMiB, parser, ingest, handler, ratio: ingest.rowsPerSecond / parser.rowsPerSecond };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Writes a valid return of exactly `rows` rows (day totals, then unit breakdowns of 1 each) as
 * `syntheticReturn` does, but line by line to disk: the benchmark's own memory stays small.
 */
async function writeSyntheticReturn(file: string, rows: number): Promise<void> {
  const op = syntheticOperation('bench-stream', SHAPE);
  const dates = windowDates(op);
  const units = op.metrics[0]?.breakdowns[0]?.values ?? [];
  const out = createWriteStream(file);
  let written = 0;
  let buffer = 'date,metric,breakdown,value\n';
  const line = async (text: string): Promise<boolean> => {
    if (written >= rows) return false;
    written++;
    buffer += `${text}\n`;
    if (buffer.length > 1 << 16) {
      if (!out.write(buffer)) await new Promise<void>((ok) => out.once('drain', () => ok()));
      buffer = '';
    }
    return true;
  };
  totals: for (const metric of op.metrics) {
    for (const date of dates) if (!(await line(`${date},${metric.id},,${units.length}`))) break totals;
  }
  breakdowns: for (const metric of op.metrics) {
    for (const date of dates) {
      for (const unit of units) if (!(await line(`${date},${metric.id},unit=${unit},1`))) break breakdowns;
    }
  }
  if (written < rows) throw new Error(`the operation holds only ${written} distinct rows, not ${rows}`);
  await new Promise<void>((ok, fail) => out.end(buffer, () => ok()).once('error', fail));
}

/** Bundles the child as a Lambda bundle is built (esbuild, ESM, minified): no TypeScript loader in the measure. */
async function bundleChild(dir: string): Promise<string> {
  const outfile = join(dir, 'ingest-stream-child.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('./ingest-stream-child.ts', import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: true,
    banner: { js: ESM_REQUIRE_BANNER },
    logLevel: 'warning',
  });
  return outfile;
}

async function runChild(
  child: string,
  mode: 'parser' | 'ingest' | 'handler',
  file: string,
): Promise<StreamRun> {
  const { stdout } = await promisify(execFile)(process.execPath, [child, mode, file, JSON.stringify(SHAPE)], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as StreamRun;
}
