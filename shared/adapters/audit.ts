import { createHash } from 'node:crypto';
import type { CountryFigures } from '../domain/check-return.ts';
import {
  buildManifest,
  canonicalJson,
  type Manifest,
  manifestDigest,
  type Provenance,
} from '../domain/final-export.ts';
import { formatOf, readReturn } from '../domain/read-return.ts';
import { type CountryState, type Rollup, rollup } from '../domain/rollup.ts';
import { reportKey, type StoredReport, VALIDATOR_VERSION } from '../domain/stored-report.ts';
import type { ObjectStore } from './objects.ts';
import type { OperationRecord, Repository } from './repository.ts';

/** Where the archive of an operation's definition and status lives in S3 (for `rebuild`). */
export const definitionKey = (op: string) => `definitions/${op}.json`;
/** Where the manifest frozen at finalisation lives. */
export const finalManifestKey = (op: string) => `final/${op}/manifest.json`;

/** Writes the operation record (definition, status, status log) to S3 next to the raw files. */
export async function archiveOperation(objects: ObjectStore, record: OperationRecord): Promise<void> {
  await objects.putJson(definitionKey(record.definition.id), record);
}

/** Which file of each country counts now, with its hash and times. */
export async function provenanceOf(
  repo: Repository,
  op: string,
  states: readonly CountryState[],
): Promise<Provenance[]> {
  const subs = new Map(
    (
      await repo.getSubmissions(
        op,
        states.map((s) => s.submissionId),
      )
    ).map((s) => [s.id, s]),
  );
  return states.map((s) => {
    const sub = subs.get(s.submissionId);
    return {
      country: s.country,
      submissionId: s.submissionId,
      key: sub?.key ?? '',
      sha256: sub?.sha256 ?? null,
      size: sub?.size ?? null,
      receivedAt: s.receivedAt,
      acceptedAt: s.acceptedAt,
    };
  });
}

/** The manifest of the figures in DynamoDB now. */
export async function currentManifest(repo: Repository, record: OperationRecord): Promise<Manifest> {
  const states = await repo.listCountries(record.definition.id);
  const provenance = await provenanceOf(repo, record.definition.id, states);
  return buildManifest(record.definition, record.status, states, provenance, VALIDATOR_VERSION);
}

/** Freezes the manifest at finalisation: the final export serves this copy from then on. */
export async function freezeManifest(
  repo: Repository,
  objects: ObjectStore,
  record: OperationRecord,
): Promise<Manifest> {
  const manifest = await currentManifest(repo, record);
  await objects.putJson(finalManifestKey(record.definition.id), manifest);
  return manifest;
}

/** One disagreement found by `reconcile`, said plainly. */
export type Difference = { where: string; what: string };

export type ReconcileResult = {
  countries: number;
  filesRead: number;
  differences: Difference[];
  recomputedDigest: string;
  finalDigest: string | null;
};

/**
 * Recomputes every country's figures from its raw accepted file in S3 — with the same pure
 * functions as the ingest — and the rollup from those, then compares them with DynamoDB (country
 * items and stored rollup) and with the frozen final manifest, if any. Identical means no
 * difference listed.
 */
export async function reconcile(
  repo: Repository,
  objects: ObjectStore,
  record: OperationRecord,
  progress: (line: string) => void = () => undefined,
): Promise<ReconcileResult> {
  const op = record.definition;
  const differences: Difference[] = [];
  const states = await repo.listCountries(op.id);
  const provenance = await provenanceOf(repo, op.id, states);
  const recomputed: CountryState[] = [];
  let filesRead = 0;
  for (const [i, state] of states.entries()) {
    const p = provenance[i];
    const where = `${state.country} (${p?.key || state.submissionId})`;
    if (!p?.key) {
      differences.push({ where, what: 'the submission record of the counted file is missing' });
      continue;
    }
    const format = formatOf(p.key);
    if (!format) {
      differences.push({ where, what: 'the counted file has no return format' });
      continue;
    }
    let figures: CountryFigures | null;
    let sha: string;
    try {
      const object = await objects.open(p.key);
      const hash = createHash('sha256');
      const hashed = (async function* () {
        for await (const chunk of object.body) {
          hash.update(chunk);
          yield chunk;
        }
      })();
      // An accepted file is always read to its end, so the hash covers the whole object.
      figures = (await readReturn(hashed, format, { operation: op, country: state.country })).figures;
      sha = hash.digest('hex');
      filesRead++;
    } catch (e) {
      differences.push({ where, what: `the raw file cannot be read: ${String(e)}` });
      continue;
    }
    progress(`${i + 1}/${states.length} ${state.country} ${p.key}`);
    if (p.sha256 && sha !== p.sha256) {
      differences.push({
        where,
        what: `the raw file's SHA-256 is ${sha}, but ${p.sha256} was recorded when it was accepted`,
      });
    }
    if (!figures) {
      differences.push({ where, what: 'the raw file no longer passes validation' });
      continue;
    }
    const { byDayBreakdown: _d, rows: _r, ...kept } = figures;
    if (canonicalJson(kept) !== canonicalJson(state.figures)) {
      differences.push({ where, what: describeFigureDiff(state.figures.totals, kept.totals) });
    }
    recomputed.push({ ...state, figures: kept });
  }

  const expected = rollup(op, recomputed);
  const stored = await repo.getRollup(op.id);
  const storedRollup = stored?.body ? (JSON.parse(stored.body) as Rollup) : rollup(op, []);
  for (const part of ['totals', 'byRegion', 'byCountry', 'byDay'] as const) {
    if (canonicalJson(expected[part]) !== canonicalJson(storedRollup[part])) {
      differences.push({
        where: `rollup.${part}`,
        what: 'the stored rollup differs from the rollup of the raw files',
      });
    }
  }

  const manifest = buildManifest(op, record.status, recomputed, provenance, VALIDATOR_VERSION);
  const frozen = await objects.getJson<Manifest>(finalManifestKey(op.id));
  if (frozen) {
    for (const part of ['totals', 'byRegion', 'byCountry', 'byDay'] as const) {
      if (canonicalJson(frozen.figures[part]) !== canonicalJson(manifest.figures[part])) {
        differences.push({
          where: `final manifest figures.${part}`,
          what: 'the final figures differ from those of the raw files',
        });
      }
    }
    const frozenFiles = new Map(frozen.provenance.map((p) => [p.country, p]));
    for (const p of provenance) {
      const f = frozenFiles.get(p.country);
      if (!f || f.sha256 !== p.sha256 || f.submissionId !== p.submissionId) {
        differences.push({
          where: `final manifest ${p.country}`,
          what: `counts ${f?.key ?? 'no file'} (${f?.sha256 ?? '-'}), DynamoDB counts ${p.key} (${p.sha256})`,
        });
      }
    }
  }
  return {
    countries: states.length,
    filesRead,
    differences,
    recomputedDigest: manifestDigest(manifest),
    finalDigest: frozen ? manifestDigest(frozen) : null,
  };
}

function describeFigureDiff(stored: Record<string, number>, fromFile: Record<string, number>): string {
  const metrics = [...new Set([...Object.keys(stored), ...Object.keys(fromFile)])].sort();
  const diffs = metrics
    .filter((m) => stored[m] !== fromFile[m])
    .map((m) => `${m}: DynamoDB ${stored[m] ?? 'not reported'}, raw file ${fromFile[m] ?? 'not reported'}`);
  return `figures differ (${diffs.join('; ') || 'by day or breakdown'})`;
}

export type RebuildResult = { submissions: number; applied: number; unprocessed: string[] };

/**
 * Restores all DynamoDB state of an operation from S3 alone (disaster recovery): the archived
 * definition and status, then every stored report in the order it was processed — submission
 * records, and the accepted figures applied with the same conditional writes and outcomes as
 * the first time — then the rollup. Raw files that never got a report are listed.
 */
export async function rebuild(
  repo: Repository,
  objects: ObjectStore,
  op: string,
  progress: (line: string) => void = () => undefined,
): Promise<RebuildResult> {
  const record = await objects.getJson<OperationRecord>(definitionKey(op));
  if (!record)
    throw new Error(
      `No archived definition at s3://${objects.bucket}/${definitionKey(op)}: cannot rebuild ${op}.`,
    );
  await repo.restoreOperation(record);
  progress(`operation ${op} restored (${record.status})`);

  const reportKeys = (await objects.list(`reports/${op}/`)).map((o) => o.key);
  const reports: StoredReport[] = [];
  for (const key of reportKeys) {
    const r = await objects.getJson<StoredReport>(key);
    if (r) reports.push(r);
  }
  reports.sort((a, b) => (a.processedAt < b.processedAt ? -1 : a.processedAt > b.processedAt ? 1 : 0));
  let applied = 0;
  for (const [i, r] of reports.entries()) {
    const s = r.submission;
    const key = reportKey(op, s.country, s.id);
    if (r.figures && (r.outcome === 'applied' || r.outcome === 'duplicate')) {
      const { byDayBreakdown: _d, rows: _r, ...figures } = r.figures;
      await repo.applyCountry(op, {
        country: s.country,
        figures,
        submissionId: s.id,
        orderKey: s.orderKey,
        receivedAt: s.receivedAt,
        acceptedAt: r.processedAt,
      });
      applied++;
    }
    await repo.finishSubmission({
      ...s,
      processedAt: r.processedAt,
      status: r.report.verdict,
      errors: r.report.counts.errors,
      warnings: r.report.counts.warnings,
      reportKey: key,
      summary: { verdict: r.report.verdict, counts: r.report.counts },
      failure: null,
      attempts: 1,
    });
    if ((i + 1) % 50 === 0 || i + 1 === reports.length)
      progress(`${i + 1}/${reports.length} reports restored`);
  }
  await repo.refreshRollup(record.definition);
  const reported = new Set(reports.map((r) => r.submission.key));
  const unprocessed = (await objects.list(`incoming/${op}/`))
    .map((o) => o.key)
    .filter((k) => !reported.has(k));
  progress(`rollup recomputed; ${unprocessed.length} raw file(s) without a report`);
  return { submissions: reports.length, applied, unprocessed };
}
