import { gunzipSync } from 'node:zlib';
import { documentClient, s3Client } from '../shared/adapters/aws-clients.ts';
import { ObjectStore } from '../shared/adapters/objects.ts';
import { Repository } from '../shared/adapters/repository.ts';
import { refreshRollup } from '../shared/app/refresh-rollup.ts';
import type { DefinitionChange } from '../shared/domain/ledger.ts';
import type { Operation } from '../shared/domain/operation.ts';
import { parseOperation } from '../shared/domain/operation-schema.ts';
import type { StackProcess } from './stack-process.ts';

export type ScaleResult = {
  units: number;
  metrics: number;
  /** The rollup as served (JSON) and as stored (gzip, the S3 body). */
  rollupBytes: number;
  rollupGzipBytes: number;
  /** One refresh (read the operation and every country item, compute, store the body, move the head), median of 3. */
  refreshMs: number;
  /** One more upload → its figure in the HTTP rollup, median of 3 uploads. */
  visibleMs: number;
  visibleRuns: number[];
  /** The stack's DynamoDB requests for one such upload, refresh included, HTTP polls excluded (median). */
  requestsPerUpload: number;
  requestsByCommand: Record<string, number>;
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/**
 * An operation of `units` reporting units × `metrics` metrics, all reported, then one more upload
 * (issue 13's `scale.units2000`). Units are seeded straight into the table (ISO codes cannot name
 * 2,000 units; the rollup and the read path do not care); the measured upload goes through the
 * whole pipeline of the stack process: S3 event, queue, ingest, refresh, HTTP rollup.
 */
export async function measureScale(target: StackProcess, units = 2_000, metrics = 20): Promise<ScaleResult> {
  const op = `scale-${units}`;
  const parsed = parseOperation({
    id: op,
    name: `Scale ${units}`,
    window: { start: '2025-11-10', end: '2025-11-21' },
    reportingDeadline: '2030-01-01T00:00:00Z',
    participants: [{ code: 'BR', name: 'Brazil', region: 'Americas' }],
    metrics: Array.from({ length: metrics }, (_, i) => ({
      id: `m${String(i).padStart(2, '0')}`,
      label: `Metric ${i}`,
      unit: 'persons',
      aggregation: 'sum',
    })),
  });
  if (!parsed.ok) throw new Error(parsed.error.join('\n'));
  const codes = Array.from({ length: units - 1 }, (_, i) => `U${String(i).padStart(4, '0')}`);
  const definition: Operation = {
    ...parsed.value,
    participants: [
      ...parsed.value.participants,
      ...codes.map((code) => ({ code, name: `Unit ${code}`, region: 'Africa' as const })),
    ],
  };
  const db = documentClient({ dynamodb: target.dynamodbEndpoint });
  const s3 = s3Client({ s3: target.s3Endpoint });
  const repo = new Repository(db, target.table);
  const objects = new ObjectStore(s3, target.bucket);
  try {
    const change: DefinitionChange = {
      version: 1,
      at: new Date().toISOString(),
      by: 'bench',
      sha256: 'bench',
      changes: ['created'],
    };
    await repo.putDefinition(definition, change, 'open');
    const totals = Object.fromEntries(definition.metrics.map((m, i) => [m.id, i]));
    for (let i = 0; i < codes.length; i += 50) {
      await Promise.all(
        codes.slice(i, i + 50).map((country) =>
          repo.applyCountry(op, {
            country,
            figures: { totals, byDay: { '2025-11-10': totals }, byBreakdown: {} },
            submissionId: `${country}-1`,
            orderKey: '1',
            receivedAt: '2025-11-10T09:00:00.000Z',
            acceptedAt: '2025-11-10T09:00:01.000Z',
          }),
        ),
      );
    }
    const refreshes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      await refreshRollup({ repo, objects }, op);
      refreshes.push(performance.now() - started);
    }

    const get = (etag: string) =>
      fetch(`${target.apiUrl}/operations/${op}/rollup`, {
        headers: { authorization: `Bearer ${target.coordinator}`, 'if-none-match': etag },
      });
    let etag = '';
    let rollupBytes = 0;
    const visible: number[] = [];
    const requests: { total: number; byCommand: Record<string, number> }[] = [];
    for (let round = 1; round <= 3; round++) {
      await target.takeDynamoUsage();
      const value = 1_000 + round;
      const rows = definition.metrics.map((m) => `2025-11-12,${m.id},${value}`).join('\n');
      const started = performance.now();
      await target.putReturn(`incoming/${op}/BR/round-${round}.csv`, `date,metric,value\n${rows}\n`);
      for (;;) {
        const res = await get(etag);
        if (res.status === 200) {
          etag = res.headers.get('etag') ?? '';
          const text = await res.text();
          const body = JSON.parse(text) as { byCountry: Record<string, Record<string, number | null>> };
          if (body.byCountry.BR?.m00 === value) {
            visible.push(performance.now() - started);
            rollupBytes = Buffer.byteLength(text);
            break;
          }
        } else await res.arrayBuffer();
        if (performance.now() - started > 60_000) throw new Error('the upload never showed');
        await new Promise((ok) => setTimeout(ok, 5));
      }
      // The upload's last requests (its history entry) may follow the head the poll saw.
      await new Promise((ok) => setTimeout(ok, 200));
      const { poll: _polls = 0, ...byCommand } = (await target.takeDynamoUsage()).requests;
      requests.push({ total: Object.values(byCommand).reduce((a, b) => a + b, 0), byCommand });
    }
    const head = await repo.getRollupHead(op);
    const stored = head ? await objects.getWithMetadata(head.key) : null;
    if (stored && JSON.parse(gunzipSync(stored.bytes).toString('utf8')).version !== head?.version) {
      throw new Error('the stored body is not the head’s version');
    }
    const middle = [...requests].sort((a, b) => a.total - b.total)[1] ?? requests[0];
    return {
      units,
      metrics,
      rollupBytes,
      rollupGzipBytes: head?.size ?? 0,
      refreshMs: median(refreshes),
      visibleMs: median(visible),
      visibleRuns: visible,
      requestsPerUpload: middle?.total ?? Number.NaN,
      requestsByCommand: middle?.byCommand ?? {},
    };
  } finally {
    db.destroy();
    s3.destroy();
  }
}
