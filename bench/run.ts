import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { freshStack } from '../test/support/local-servers.ts';
import { measureBundles } from './bundles.ts';
import { type Latencies, measureFreshness } from './freshness.ts';
import { measureStreamingIngest } from './ingest-stream.ts';
import { measureRequests } from './requests.ts';
import { measureRollupReads } from './rollup-reads.ts';
import { measureScale } from './scale.ts';
import { isPollRead, type StackProcess, startStackProcess } from './stack-process.ts';

/**
 * `npm run bench`: every figure measured side by side in one run on this machine; prints tables
 * and writes bench-results/latest.json. Not part of `npm test` (timings belong here, not in tests).
 * `npm run bench -- freshness rollup` runs only the named sections:
 * requests, freshness, rollup, scale, stream, bundles.
 */
const machine = {
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
};
const started = performance.now();
const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine,
  loadAverageAtStart: loadavg(),
};
const only = process.argv.slice(2);
const wanted = (section: string) => only.length === 0 || only.includes(section);
const OP = 'liberterra-iii';

const ms = (n: number) => Math.round(n);
const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
/** Median of three measurements, taken in turn with the other side's (the machine may be busy). */
const medianOf = <T>(runs: T[], by: (r: T) => number): T =>
  [...runs].sort((a, b) => by(a) - by(b))[Math.floor(runs.length / 2)] as T;

console.log(
  `optally bench on ${machine.cpus} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}` +
    ` (load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')})\n`,
);

if (wanted('requests')) {
  // The benchmark delivers the events itself: the stack's own notifications would ingest each
  // object a second time, with a later order key, and turn the measured upload into a superseded one.
  const stack = await freshStack({ notifications: false });
  try {
    const requests = await measureRequests(stack, [10, 1_000, 10_000, 100_000], 1_000);
    results.requestsPerUpload = requests;
    console.log(
      'DynamoDB requests per accepted upload alone in its batch (a constant: 4 + the refresh’s 4; ≥ 100× fewer than the naive writer at 1,000 rows)',
    );
    console.table(
      requests.map((r) => ({
        rows: r.rows,
        optally: r.optally,
        'naive per-row writer': r.naive ?? `${r.rows} (one per row, not run)`,
        ratio: r.naive ? `${(r.naive / r.optally).toFixed(0)}×` : `${(r.rows / r.optally).toFixed(0)}×`,
        'ingest ms': ms(r.ingestMs),
      })),
    );
  } finally {
    await stack.dispose();
  }
}

/** One stack process for the freshness and rollup sections, started when first needed. */
const running: { stack: StackProcess | null } = { stack: null };
const stackProcess = async (): Promise<StackProcess> => {
  // The notifier (its own function on AWS) stays out of the ingest and read paths' figures.
  running.stack ??= await startStackProcess({
    storageProcess: true,
    mail: { intervalMs: false, verdicts: false },
  });
  return running.stack;
};
try {
  if (wanted('freshness')) {
    // The stack in processes of its own (the handlers in one, s3rver and dynalite in another);
    // the uploads and the polling come from this process, as real clients' would.
    const target = await stackProcess();
    const participants = await participantsOf(target);
    const one = await measureFreshness(target, ['BR'], 100);
    const burst = await measureFreshness(target, participants, 3);
    // For comparison, the topology of the first measurements: the whole stack and the load
    // generator sharing one Node process (one core).
    // Its DynamoDB requests are counted too: in a burst, batches share reads and rollup refreshes.
    const shared = await freshStack({ queue: {}, mail: { intervalMs: false, verdicts: false } });
    const requests: Record<string, number> = {};
    shared.repo.db.middlewareStack.add(
      (next, context) => async (args) => {
        // The HTTP polling's read (the rollup head with the operation's status) is counted apart.
        const name = isPollRead(context.commandName, args.input)
          ? 'poll'
          : (context.commandName ?? 'unknown');
        requests[name] = (requests[name] ?? 0) + 1;
        return next(args);
      },
      { step: 'initialize', name: 'countRequests' },
    );
    let sharedBurst: Latencies;
    try {
      sharedBurst = await measureFreshness(
        { apiUrl: shared.apiUrl, coordinator: shared.tokens.coordinator, putReturn: shared.putReturn },
        participants,
        3,
      );
    } finally {
      await shared.dispose();
    }
    const { poll: polls = 0, ...ingestRequests } = requests;
    const perUpload = Object.values(ingestRequests).reduce((a, b) => a + b, 0) / (3 * participants.length);
    results.freshness = {
      sequential: one,
      burst119: burst,
      burst119SharedProcess: sharedBurst,
      burst119Requests: { byCommand: ingestRequests, polls, perUpload },
    };
    console.log(
      '\nUpload → visible in the HTTP rollup (ms), local stack (target for 119 at once: p50 ≤ 300, p95 ≤ 1,000)',
    );
    const row = (l: Latencies) => ({ samples: l.samples, p50: ms(l.p50), p95: ms(l.p95), max: ms(l.max) });
    console.table({
      'one upload at a time (100)': row(one),
      [`${participants.length} countries at once (×3)`]: {
        ...row(burst),
        target: `p50 ${verdict(burst.p50 <= 300)}, p95 ${verdict(burst.p95 <= 1000)}`,
      },
      [`${participants.length} at once, stack and load in one process`]: row(sharedBurst),
    });
    console.log(
      `DynamoDB requests per upload in that burst (batches of up to 10, polling excluded): ${perUpload.toFixed(2)} — ${JSON.stringify(ingestRequests)}`,
    );
  }

  if (wanted('rollup')) {
    const target = await stackProcess();
    if (!wanted('freshness')) {
      // A rollup of every participant, as after the freshness section.
      await measureFreshness(target, await participantsOf(target), 1);
    }
    const reads = await measureRollupReads(target, OP, 50, 10);
    results.rollupReads = reads;
    console.log(
      `\nRollup reads, 50 keep-alive connections, ${ms(reads.api304.seconds)} s each; rollup ${(reads.rollupBytes / 1024).toFixed(0)} KiB`,
    );
    const row = (r: typeof reads.getItem) => ({
      'requests/s': ms(r.requestsPerSecond),
      'p50 ms': Number(r.p50Ms.toFixed(1)),
      'p99 ms': Number(r.p99Ms.toFixed(1)),
      errors: r.errors,
    });
    console.table({
      'GET rollup, If-None-Match (unchanged)': {
        ...row(reads.api304),
        '304 share': `${(100 * reads.api304.share304).toFixed(1)} %`,
      },
      'GET rollup, no If-None-Match': { ...row(reads.api200), '304 share': '—' },
      'bare GetItem of the ROLLUP head (SDK)': { ...row(reads.getItem), '304 share': '—' },
      'bare GetItem of a 47 KiB item (the old rollup item)': { ...row(reads.getItem47KiB), '304 share': '—' },
    });
    console.log(
      `API (304) ÷ bare GetItem of 47 KiB: ${reads.ratio.toFixed(2)}× (target ≥ 1.5×) — ${verdict(reads.ratio >= 1.5)}; ÷ GetItem of the head: ${reads.ratioToHeadGetItem.toFixed(2)}×`,
    );
    console.log(
      `DynamoDB read units per 304 (ReturnConsumedCapacity, as dynalite reports them): ${reads.readUnitsPer304.toFixed(4)} (target ≤ 1) — ${verdict(reads.readUnitsPer304 <= 1)}; requests during the run: ${JSON.stringify(reads.requestsDuring304)}`,
    );
  }
  if (wanted('scale')) {
    const scale = await measureScale(await stackProcess(), 2_000, 20);
    results.scale = { units2000: scale };
    console.log(
      '\nAn operation of 2,000 reporting units × 20 metrics, all reported, then one more upload (median of 3; targets: visible ≤ 500 ms, ≤ 8 DynamoDB requests per upload)',
    );
    console.table({
      units2000: {
        'rollup KiB (JSON)': ms(scale.rollupBytes / 1024),
        'stored KiB (gzip)': ms(scale.rollupGzipBytes / 1024),
        'refresh ms': ms(scale.refreshMs),
        'visible ms': ms(scale.visibleMs),
        'requests/upload': scale.requestsPerUpload,
        visible: verdict(scale.visibleMs <= 500),
        requests: verdict(scale.requestsPerUpload <= 8),
      },
    });
    console.log(`requests by command: ${JSON.stringify(scale.requestsByCommand)}`);
  }
} finally {
  await running.stack?.stop();
}

if (wanted('stream')) {
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await measureStreamingIngest(1_000_000));
  const parser = medianOf(runs, (r) => r.parser.rowsPerSecond).parser;
  const ingest = medianOf(runs, (r) => r.ingest.rowsPerSecond).ingest;
  const handler = medianOf(runs, (r) => r.handler.peakRssMiB).handler;
  const ratio = ingest.rowsPerSecond / parser.rowsPerSecond;
  results.streamingIngest = {
    rows: 1_000_000,
    fileMiB: runs[0]?.fileMiB,
    parser,
    ingest,
    handler,
    ratio,
    runs,
  };
  console.log(
    `\nStreaming ingest of a 1,000,000-row return (${(runs[0]?.fileMiB ?? 0).toFixed(1)} MiB CSV from disk), fresh bundled processes, median of 3 (targets: ≥ 0.5× the parser; peak RSS ≤ 256 MB)`,
  );
  const row = (r: typeof parser) => ({
    'rows/s': ms(r.rowsPerSecond),
    seconds: Number((r.ms / 1000).toFixed(2)),
    'peak RSS MiB': ms(r.peakRssMiB),
  });
  console.table({
    'bare csv-parse parser': row(parser),
    'readReturn (parser + checker)': {
      ...row(ingest),
      'vs parser': `${ratio.toFixed(2)}× ${verdict(ratio >= 0.5)}`,
    },
    'readReturn + report JSON + item gzip': {
      ...row(handler),
      'vs parser': `RSS ${verdict(handler.peakRssMiB * 1.048576 <= 256)}`,
    },
  });
}

if (wanted('bundles')) {
  const bundles = await measureBundles(5);
  results.bundles = bundles;
  console.log(
    `\nLambda bundles (infra/bundling.ts settings), import in a fresh Node process with --enable-source-maps, median of 5 (targets: ≤ 1 MB loaded at init, ≤ 150 ms); bare \`node -e 0\`: ${ms(bundles.nodeStartMs)} ms`,
  );
  console.table(
    bundles.bundles.map((b) => ({
      function: b.function,
      variant: b.variant,
      'init KiB': ms(b.bytes / 1024),
      'all chunks KiB': ms(b.totalBytes / 1024),
      'source map KiB': ms(b.sourceMapBytes / 1024),
      'import ms': ms(b.importMs),
      'import ms, no source maps': ms(b.importNoSourceMapsMs),
      'process ms': ms(b.processMs),
      size: verdict(b.bytes <= 1_000_000),
      init: verdict(b.importMs <= 150),
    })),
  );
}

results.loadAverageAtEnd = loadavg();
results.seconds = (performance.now() - started) / 1000;
await mkdir('bench-results', { recursive: true });
await writeFile('bench-results/latest.json', `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwritten: bench-results/latest.json (${ms((performance.now() - started) / 1000)} s)`);

async function participantsOf(target: StackProcess): Promise<string[]> {
  const res = await fetch(`${target.apiUrl}/operations/${OP}`, {
    headers: { authorization: `Bearer ${target.coordinator}` },
  });
  const body = (await res.json()) as { definition: { participants: { code: string }[] } };
  return body.definition.participants.map((p) => p.code);
}
