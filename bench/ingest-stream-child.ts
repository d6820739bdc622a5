import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { parse as parseCsv } from 'csv-parse';
import { readReturn } from '../shared/domain/read-return.ts';
import { syntheticOperation } from './synthetic.ts';

/**
 * One reader of the streaming-ingest benchmark, run (bundled, like a Lambda) in a fresh process
 * by bench/ingest-stream.ts: `node child.mjs <parser|ingest|handler> <file> <shape JSON>`.
 * Prints one JSON line: rows, milliseconds, peak RSS.
 *
 * - parser: the bare csv-parse parser over the file's bytes, every record counted, nothing kept.
 * - ingest: `readReturn` (the ingest's parser and checker) over the same bytes, hashed on the way
 *   as the ingest hashes them.
 * - handler: the same, then what the handler builds before writing: the stored report's JSON
 *   (figures in full) and the gzipped figures of the country item.
 */
async function main(mode: string, file: string, shape: { days: number; metrics: number; units: number }) {
  const operation = syntheticOperation('bench-stream', shape);
  const started = performance.now();
  let rows = 0;
  let verdict: string | undefined;
  let reportBytes: number | undefined;
  let itemBytes: number | undefined;
  if (mode === 'parser') {
    const parser = createReadStream(file).pipe(
      parseCsv({ relax_column_count: true, skip_empty_lines: false }),
    );
    for await (const _record of parser) rows++;
    rows--; // the header
  } else {
    const hash = createHash('sha256');
    async function* hashed(): AsyncGenerator<Uint8Array> {
      for await (const chunk of createReadStream(file)) {
        hash.update(chunk as Buffer);
        yield chunk as Buffer;
      }
    }
    const checked = await readReturn(hashed(), 'csv', { operation, country: 'BR' });
    hash.digest('hex');
    rows = checked.report.counts.rows;
    verdict = checked.report.verdict;
    if (mode === 'handler' && checked.figures) {
      reportBytes = Buffer.byteLength(JSON.stringify({ report: checked.report, figures: checked.figures }));
      const { byDayBreakdown: _detail, rows: _rows, ...figures } = checked.figures;
      itemBytes = gzipSync(JSON.stringify(figures)).length;
    }
  }
  const ms = performance.now() - started;
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  const peakRssMiB = hwm ? Number(hwm) / 1024 : process.resourceUsage().maxRSS / 1024;
  console.log(
    JSON.stringify({
      rows,
      ms,
      rowsPerSecond: rows / (ms / 1000),
      peakRssMiB,
      verdict,
      reportBytes,
      itemBytes,
    }),
  );
}

await main(process.argv[2] ?? '', process.argv[3] ?? '', JSON.parse(process.argv[4] ?? '{}'));
