import { describe, expect, it } from 'vitest';
import { INLINE_ANSWER_LIMIT_BYTES } from '../../shared/domain/export-delivery.ts';
import { buildManifest } from '../../shared/domain/final-export.ts';
import { finalFile, responseBodyBytes } from '../../shared/domain/final-files.ts';
import type { Operation } from '../../shared/domain/operation.ts';
import { aCountryState, anOperation, type Days, liberterraIII } from '../support/builders.ts';

const WINDOW = { start: '2025-11-10', end: '2025-11-12' };

function aSmallManifest() {
  const op = anOperation();
  return buildManifest(op, 'final', [aCountryState(op, 'BR', { '2025-11-10': { arrests: 3 } })], [], 'v1');
}

/** Every day of November 2025, every metric of `op` reported. */
function everyDayOfNovember(op: Operation): Days {
  const days: Days = {};
  for (let day = 1; day <= 30; day++) {
    days[`2025-11-${String(day).padStart(2, '0')}`] = Object.fromEntries(
      op.metrics.map((m, i) => [m.id, 100 + i]),
    );
  }
  return days;
}

describe('finalFile', () => {
  it('names a stored export by operation and manifest digest, with the format’s extension', () => {
    const manifest = aSmallManifest();

    const csv = finalFile(manifest, WINDOW, 'final', 'csv');
    const sdmx = finalFile(manifest, WINDOW, 'final', 'sdmx-csv');

    expect(csv.key).toBe(`exports/test-op/${csv.manifestSha256}.csv`);
    expect(sdmx.key).toBe(`exports/test-op/${csv.manifestSha256}.sdmx.csv`);
    expect(finalFile(manifest, WINDOW, 'final', 'json').key).toBe(
      `exports/test-op/${csv.manifestSha256}.json`,
    );
  });

  it('gives the CSV formats an attachment name and the JSON, read by programs, none', () => {
    const manifest = aSmallManifest();

    expect(finalFile(manifest, WINDOW, 'final', 'csv').contentDisposition).toBe(
      'attachment; filename="test-op-final.csv"',
    );
    expect(finalFile(manifest, WINDOW, 'closed', 'sdmx-csv').contentDisposition).toBe(
      'attachment; filename="test-op-closed.sdmx.csv"',
    );
    expect(finalFile(manifest, WINDOW, 'final', 'json').contentDisposition).toBeNull();
  });

  it('gives the same bytes for the same manifest, and the JSON carries its digest', () => {
    const file = finalFile(aSmallManifest(), WINDOW, 'final', 'json');

    expect(finalFile(aSmallManifest(), WINDOW, 'final', 'json').body).toBe(file.body);
    expect(JSON.parse(file.body).manifestSha256).toBe(file.manifestSha256);
  });
});

describe('responseBodyBytes', () => {
  it('counts a body as the Lambda response carries it: escaped quotes and line ends take two bytes', () => {
    expect(responseBodyBytes('a,b\r\n')).toBe('"a,b\\r\\n"'.length);
    expect(responseBodyBytes('{"a":1}')).toBe('"{\\"a\\":1}"'.length);
    expect(responseBodyBytes('é')).toBe(4);
  });

  it('finds the CSV of 119 countries reporting 12 metrics over 30 days too large to answer inline', () => {
    const base = liberterraIII();
    const op: Operation = {
      ...base,
      window: { start: '2025-11-01', end: '2025-11-30' },
      metrics: Array.from({ length: 12 }, (_, i) => ({
        id: `metric_${i + 1}`,
        label: `Metric ${i + 1}`,
        unit: 'cases',
        aggregation: 'sum' as const,
        breakdowns: [],
      })),
      rules: [],
    };
    const days = everyDayOfNovember(op);
    const states = op.participants.map((p) => aCountryState(op, p.code, days));
    const provenance = states.map((s) => ({
      country: s.country,
      submissionId: s.submissionId,
      key: `incoming/${op.id}/${s.country}/u1/return.csv`,
      versionId: null,
      sha256: 'a'.repeat(64),
      size: 1000,
      receivedAt: s.receivedAt,
      acceptedAt: s.acceptedAt,
    }));

    const file = finalFile(buildManifest(op, 'final', states, provenance, 'v1'), op.window, 'final', 'csv');

    expect(responseBodyBytes(file.body)).toBeGreaterThan(INLINE_ANSWER_LIMIT_BYTES);
  });
});
