import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { freshStack } from '../test/support/local-servers.ts';
import { measureFreshness } from './freshness.ts';
import { measureRequests } from './requests.ts';

/**
 * `npm run bench`: every figure measured side by side in one run on this machine; prints a table
 * and writes bench-results/latest.json. Not part of `npm test` (timings belong here, not in tests).
 */
const machine = {
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
};
const results: Record<string, unknown> = { date: new Date().toISOString(), machine };

/** `npm run bench -- freshness` runs only the named sections. */
const only = process.argv.slice(2);
const wanted = (section: string) => only.length === 0 || only.includes(section);

const stack = await freshStack();
try {
  console.log(
    `optally bench on ${machine.cpus} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}\n`,
  );

  if (wanted('requests')) {
    const requests = await measureRequests(stack, [10, 1_000, 10_000, 100_000], 1_000);
    results.requestsPerUpload = requests;
    console.log('DynamoDB requests per accepted upload');
    console.table(
      requests.map((r) => ({
        rows: r.rows,
        optally: r.optally,
        'naive per-row writer': r.naive ?? `${r.rows} (one per row, not run)`,
        ratio: r.naive ? `${(r.naive / r.optally).toFixed(0)}×` : `${(r.rows / r.optally).toFixed(0)}×`,
        'ingest ms': Math.round(r.ingestMs),
      })),
    );
  }
  if (wanted('freshness')) {
    const participants =
      (await stack.repo.getOperation('liberterra-iii'))?.definition.participants.map((p) => p.code) ?? [];
    const one = await measureFreshness(stack, ['BR'], 100);
    const burst = await measureFreshness(stack, participants, 3);
    results.freshness = { sequential: one, burst119: burst };
    console.log('\nUpload → visible in the HTTP rollup (ms), local stack');
    console.table({
      'one upload at a time (100)': one,
      [`${participants.length} countries at once (×3)`]: burst,
    });
  }
} finally {
  await stack.dispose();
}
await mkdir('bench-results', { recursive: true });
await writeFile('bench-results/latest.json', `${JSON.stringify(results, null, 2)}\n`);
console.log('\nwritten: bench-results/latest.json');
