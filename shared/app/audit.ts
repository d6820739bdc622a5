import type { ObjectStore } from '../adapters/objects.ts';
import type { Repository } from '../adapters/repository.ts';
import type { CountryFigures } from '../domain/checks/figures.ts';
import {
  buildManifest,
  canonicalJson,
  type Manifest,
  manifestDigest,
  type Provenance,
} from '../domain/final-export.ts';
import type { OperationRecord } from '../domain/ledger.ts';
import { LEDGER_TREE_SCHEME, type LedgerLeaf, ledgerLeaves, ledgerRoot } from '../domain/ledger-tree.ts';
import { definitionKey, evidenceOf, finalLedgerKey, finalManifestKey } from '../domain/object-keys.ts';
import { formatOf, readReturn } from '../domain/read-return.ts';
import { type CountryState, type Rollup, rollup } from '../domain/rollup.ts';
import { reportKey, type StoredReport, VALIDATOR_VERSION } from '../domain/stored-report.ts';
import { definitionOfVersion } from './define-operation.ts';
import { figuresAsStored } from './ingest-upload.ts';
import { hashing } from './read-object.ts';
import { storedRollup } from './read-rollup.ts';
import { refreshRollup, restoreRollupTimeline } from './refresh-rollup.ts';

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
      versionId: sub?.versionId ?? null,
      sha256: sub?.sha256 ?? null,
      size: sub?.size ?? null,
      receivedAt: s.receivedAt,
      acceptedAt: s.acceptedAt,
    };
  });
}

/**
 * Every submission of the operation as a leaf of the ledger tree, in its fixed order: accepted,
 * superseded (accepted, but no longer the country's figures), rejected, failed.
 */
export async function ledgerOf(
  repo: Pick<Repository, 'allSubmissions'>,
  op: string,
  states: readonly Pick<CountryState, 'country' | 'submissionId'>[],
): Promise<LedgerLeaf[]> {
  const current = new Map(states.map((s) => [s.country, s.submissionId]));
  const subs = await repo.allSubmissions(op);
  return ledgerLeaves(
    subs.map((s) => ({
      ...s,
      versionId: s.versionId ?? null,
      verdict: s.status === 'accepted' && current.get(s.country) !== s.id ? 'superseded' : s.status,
    })),
  );
}

/** The manifest of the figures in DynamoDB now, with the ledger tree's root. */
export async function currentManifest(repo: Repository, record: OperationRecord): Promise<Manifest> {
  const op = record.definition.id;
  const states = await repo.listCountries(op);
  const provenance = await provenanceOf(repo, op, states);
  return buildManifest(
    record.definition,
    record.status,
    states,
    provenance,
    VALIDATOR_VERSION,
    record.definitionVersion,
    { ...ledgerRoot(await ledgerOf(repo, op, states)), scheme: LEDGER_TREE_SCHEME },
  );
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
 * Recomputes every country's figures from its raw accepted file in S3 (by key and version id) —
 * with the same pure functions and the same definition version as the ingest — and the rollup
 * from those, then compares them with DynamoDB (country items, their ledger entries and the stored
 * rollup) and, once the operation is final, with the frozen final manifest. Identical means no
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
  const ledger = new Map(
    (
      await repo.getSubmissions(
        op.id,
        states.map((s) => s.submissionId),
      )
    ).map((s) => [s.id, s]),
  );
  const recomputed: CountryState[] = [];
  let filesRead = 0;
  for (const [i, state] of states.entries()) {
    const p = provenance[i];
    const where = `${state.country} (${p?.key || state.submissionId})`;
    const entry = ledger.get(state.submissionId);
    if (!p?.key || !entry) {
      differences.push({ where, what: 'the submission record of the counted file is missing' });
      continue;
    }
    if (entry.status !== 'accepted') {
      differences.push({ where, what: `its figures count, but the ledger says the file is ${entry.status}` });
    }
    const format = formatOf(p.key);
    if (!format) {
      differences.push({ where, what: 'the counted file has no return format' });
      continue;
    }
    let figures: CountryFigures | null;
    let sha: string;
    try {
      const definition = await definitionOfVersion(
        objects,
        record,
        entry.judgedWith?.definitionVersion ?? record.definitionVersion,
      );
      const object = await objects.open(p.key, p.versionId);
      const hashed = hashing(object.body);
      figures = (await readReturn(hashed.source, format, { operation: definition, country: state.country }))
        .figures;
      sha = (await hashed.finish()).sha256;
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
    const kept = figuresAsStored(figures);
    if (canonicalJson(kept) !== canonicalJson(state.figures)) {
      differences.push({ where, what: describeFigureDiff(state.figures.totals, kept.totals) });
    }
    recomputed.push({ ...state, figures: kept });
  }

  const expected = rollup(op, recomputed, record.definitionVersion);
  const stored = await storedRollup({ repo, objects }, op.id);
  const current = stored?.body ? (JSON.parse(stored.body) as Rollup) : rollup(op, []);
  for (const part of ['totals', 'byRegion', 'byCountry', 'byDay', 'breakdowns'] as const) {
    // A body stored before rollups carried breakdowns has none to compare.
    if (part === 'breakdowns' && !current.breakdowns) continue;
    if (canonicalJson(expected[part]) !== canonicalJson(current[part])) {
      differences.push({
        where: `rollup.${part}`,
        what: 'the stored rollup differs from the rollup of the raw files',
      });
    }
  }

  // A manifest frozen before a reopening is history, not the figures that count now.
  const frozen = record.status === 'final' ? await objects.getJson<Manifest>(finalManifestKey(op.id)) : null;
  let leaves = await ledgerOf(repo, op.id, states);
  if (frozen) {
    // Files received after finalisation join the ledger, rejected; the frozen tree is over the rest.
    const frozenIds = new Set(
      ((await objects.getJson<LedgerLeaf[]>(finalLedgerKey(op.id))) ?? []).map((l) => l.id),
    );
    for (const late of leaves.filter((l) => !frozenIds.has(l.id) && l.verdict !== 'rejected')) {
      differences.push({ where: `ledger ${late.id}`, what: `not in the frozen ledger, yet ${late.verdict}` });
    }
    leaves = leaves.filter((l) => frozenIds.has(l.id));
  }
  const manifest = buildManifest(
    op,
    record.status,
    recomputed,
    provenance,
    VALIDATOR_VERSION,
    record.definitionVersion,
    { ...ledgerRoot(leaves), scheme: LEDGER_TREE_SCHEME },
  );
  if (record.status === 'final' && !frozen) {
    differences.push({ where: 'final manifest', what: 'the operation is final but no manifest is frozen' });
  }
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
      if (!f || f.sha256 !== p.sha256 || f.submissionId !== p.submissionId || f.versionId !== p.versionId) {
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
  // Every accepted report is applied: the conditional writes keep each country's latest by order
  // key whatever the order, and superseded ones still count for the first receipt time.
  let applied = 0;
  for (const [i, r] of reports.entries()) {
    const s = r.submission;
    const key = reportKey(op, s.country, s.id);
    if (r.figures && r.report.verdict === 'accepted') {
      await repo.applyCountry(op, {
        country: s.country,
        figures: figuresAsStored(r.figures),
        submissionId: s.id,
        orderKey: s.orderKey,
        receivedAt: s.receivedAt,
        acceptedAt: r.processedAt,
      });
      applied++;
    }
    await repo.finishSubmission({
      ...s,
      versionId: s.versionId ?? null,
      judgedWith: s.judgedWith ?? null,
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
  // The timeline first: its bodies are in S3, and the head at the newest one keeps the refresh
  // below from storing a body under the key of a version it already has.
  const timeline = await restoreRollupTimeline({ repo, objects }, op);
  progress(`rollup timeline restored: ${timeline.length} version(s)`);
  const newest = timeline.at(-1)?.version ?? 0;
  const basis = await repo.rollupBasis(op);
  const recomputed = basis
    ? rollup(basis.record.definition, basis.states, basis.record.definitionVersion).version
    : 0;
  if (recomputed >= newest) await refreshRollup({ repo, objects }, op);
  else
    progress(
      `the rebuilt figures give rollup version ${recomputed}, below the stored ${newest}: the head stays at ${newest}; ` +
        'compare them with reconcile before any new upload',
    );
  // Raw files are evidence by key and version: a version without a report was never judged.
  const reported = new Set(reports.map((r) => evidenceOf(r.submission.key, r.submission.versionId)));
  const unprocessed = (await objects.listVersions(`incoming/${op}/`))
    .filter((o) => !reported.has(evidenceOf(o.key, o.versionId)))
    .map((o) => (o.versionId ? `${o.key}?versionId=${o.versionId}` : o.key));
  progress(`rollup recomputed; ${unprocessed.length} raw file(s) without a report`);
  return { submissions: reports.length, applied, unprocessed };
}
