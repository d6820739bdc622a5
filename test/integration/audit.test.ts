import { DeleteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  FinalExport,
  LedgerPage,
  RollupView,
  StatusChangeResult,
  SubmissionDetail,
} from '../../shared/api/responses.ts';
import { rebuild, reconcile } from '../../shared/app/audit.ts';
import { child } from '../../shared/domain/checks/figures.ts';
import { freshStack } from '../support/local-servers.ts';

const OP = 'liberterra-iii';

describe('lifecycle and audit: close, finalise, export, reconcile, rebuild', () => {
  let stack: Awaited<ReturnType<typeof freshStack>>;
  const call = (method: string, path: string, token: string, body?: unknown) =>
    fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  const setStatus = (status: string, reason?: string) =>
    call('POST', `/operations/${OP}/status`, stack.tokens.admin, { status, reason });
  const rollupFigures = async () => {
    const r = (await (
      await call('GET', `/operations/${OP}/rollup`, stack.tokens.auditor)
    ).json()) as RollupView;
    return {
      totals: r.totals,
      byCountry: r.byCountry,
      byDay: r.byDay,
      byRegion: r.byRegion,
      version: r.version,
    };
  };
  const finalJson = async () =>
    (await (
      await call('GET', `/operations/${OP}/final?format=json`, stack.tokens.auditor)
    ).json()) as FinalExport;

  beforeAll(async () => {
    stack = await freshStack();
    await stack.putReturn(
      `incoming/${OP}/BR/r.csv`,
      'date,metric,breakdown,value\n2025-11-12,arrests,,12\n2025-11-12,victims_safeguarded,,4\n2025-11-12,victims_safeguarded,exploitation=forced_labour,3\n2025-11-12,officers_deployed,,=1\n',
    );
    await stack.putReturn(
      `incoming/${OP}/BR/r2.csv`,
      'date,metric,breakdown,value\n2025-11-12,arrests,,12\n2025-11-13,arrests,,0\n2025-11-12,victims_safeguarded,,4\n2025-11-12,victims_safeguarded,exploitation=forced_labour,3\n2025-11-12,officers_deployed,,300\n2025-11-13,officers_deployed,,320\n',
    );
    await stack.putReturn(
      `incoming/${OP}/KE/r.csv`,
      'date,metric,value\n2025-11-14,arrests,5\n2025-11-14,irregular_migrants_detected,40\n',
    );
    await stack.putReturn(`incoming/${OP}/FR/r.csv`, 'date,metric,value\n2025-11-10,arrests,0\n');
    await stack.settled();
  });
  afterAll(async () => {
    await stack.dispose();
  });

  it('refuses the final figures while the operation is open', async () => {
    const res = await call('GET', `/operations/${OP}/final`, stack.tokens.auditor);
    expect(res.status).toBe(409);
  });

  it('lists every submission in the ledger, the rejected one included, filterable by verdict', async () => {
    const all = (await (
      await call('GET', `/operations/${OP}/ledger`, stack.tokens.auditor)
    ).json()) as LedgerPage;
    expect(all.entries.map((e) => [e.country, e.status]).sort()).toEqual([
      ['BR', 'accepted'],
      ['BR', 'rejected'],
      ['FR', 'accepted'],
      ['KE', 'accepted'],
    ]);
    expect(all.entries.every((e) => /^[0-9a-f]{64}$/.test(String(e.sha256)))).toBe(true);
    const rejected = (await (
      await call('GET', `/operations/${OP}/ledger?verdict=rejected`, stack.tokens.auditor)
    ).json()) as LedgerPage;
    expect(rejected.entries).toHaveLength(1);
  });

  it('finalises only step by step, and then freezes the figures', async () => {
    expect((await setStatus('final')).status).toBe(409);
    expect((await setStatus('closed', 'window ended')).status).toBe(200);
    const finalised = (await (await setStatus('final', 'all returns checked')).json()) as StatusChangeResult;
    expect(finalised.manifestSha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await finalJson()).manifestSha256).toBe(finalised.manifestSha256);
  });

  it('rejects any upload after finalisation, keeps the file, and changes no figure', async () => {
    const before = await rollupFigures();
    await stack.putReturn(`incoming/${OP}/KE/late.csv`, 'date,metric,value\n2025-11-14,arrests,500\n');
    await stack.settled();
    const [late] = (await stack.repo.listSubmissions(OP, 'KE', { limit: 10 })).submissions.filter((s) =>
      s.key.endsWith('late.csv'),
    );
    expect(late?.status).toBe('rejected');
    const report = (await (
      await call('GET', `/operations/${OP}/submissions/${late?.id}`, stack.tokens.auditor)
    ).json()) as SubmissionDetail;
    expect(report.report?.problems[0]?.code).toBe('operation-not-open');
    expect((await stack.objects.open(`incoming/${OP}/KE/late.csv`)).size).toBeGreaterThan(0);
    expect(await rollupFigures()).toEqual(before);
  });

  it('exports the same figures and the same digest as JSON, CSV and SDMX-CSV', async () => {
    const { manifest, manifestSha256 } = await finalJson();
    const csvRes = await call('GET', `/operations/${OP}/final?format=csv`, stack.tokens.coordinator);
    const sdmxRes = await call('GET', `/operations/${OP}/final?format=sdmx-csv`, stack.tokens.coordinator);
    expect(csvRes.headers.get('x-manifest-sha256')).toBe(manifestSha256);
    expect(sdmxRes.headers.get('x-manifest-sha256')).toBe(manifestSha256);

    const csv = parse(await csvRes.text(), { columns: true }) as Record<string, string>[];
    const sdmx = parse(await sdmxRes.text(), { columns: true }) as Record<string, string>[];
    expect(new Set(csv.map((r) => r.manifest_sha256))).toEqual(new Set([manifestSha256]));
    expect(new Set(sdmx.map((r) => r.MANIFEST_SHA256))).toEqual(new Set([manifestSha256]));
    expect(Object.keys(sdmx[0] ?? {}).slice(0, 8)).toEqual([
      'STRUCTURE',
      'STRUCTURE_ID',
      'ACTION',
      'REF_AREA',
      'INDICATOR',
      'BREAKDOWN',
      'TIME_PERIOD',
      'OBS_VALUE',
    ]);

    const fromCsv: Record<string, Record<string, number>> = {};
    for (const r of csv.filter((r) => r.level === 'country')) {
      child(fromCsv, r.area ?? '')[r.metric ?? ''] = Number(r.value);
    }
    const period = '2025-11-10/P12D';
    const fromSdmx: Record<string, Record<string, number>> = {};
    for (const r of sdmx.filter(
      (r) => r.REF_AREA !== '_T' && r.BREAKDOWN === '_T' && r.TIME_PERIOD === period,
    )) {
      child(fromSdmx, r.REF_AREA ?? '')[(r.INDICATOR ?? '').toLowerCase()] = Number(r.OBS_VALUE);
    }
    const fromJson = Object.fromEntries(Object.entries(manifest.countries).map(([cc, f]) => [cc, f.totals]));
    expect(fromCsv).toEqual(fromJson);
    expect(fromSdmx).toEqual(fromJson);
    expect(fromJson.BR).toEqual({ arrests: 12, victims_safeguarded: 4, officers_deployed: 320 });
    expect(fromJson.FR).toEqual({ arrests: 0 });
    const globalCsv = Object.fromEntries(
      csv.filter((r) => r.level === 'global').map((r) => [r.metric, Number(r.value)]),
    );
    const reported = Object.fromEntries(
      Object.entries(manifest.figures.totals).filter(([, v]) => v !== null),
    );
    expect(globalCsv).toEqual(reported);
  });

  it('reconciles: the raw files give exactly the stored and final figures', async () => {
    const record = await stack.repo.getOperation(OP);
    const result = await reconcile(stack.repo, stack.objects, record!);
    expect(result.differences).toEqual([]);
    expect(result.filesRead).toBe(3);
    expect(result.recomputedDigest).toBe(result.finalDigest);
  });

  it('restores the same rollup and manifest digest from S3 alone after the table is wiped', async () => {
    const before = await rollupFigures();
    const digestBefore = (await finalJson()).manifestSha256;
    const scan = await stack.repo.db.send(new ScanCommand({ TableName: stack.table }));
    for (const item of scan.Items ?? []) {
      await stack.repo.db.send(
        new DeleteCommand({ TableName: stack.table, Key: { pk: item.pk, sk: item.sk } }),
      );
    }
    expect(await stack.repo.getOperation(OP)).toBeNull();

    const result = await rebuild(stack.repo, stack.objects, OP);
    expect(result.submissions).toBe(5);
    expect(await rollupFigures()).toEqual(before);
    const record = await stack.repo.getOperation(OP);
    expect(record?.status).toBe('final');
    const recomputed = await reconcile(stack.repo, stack.objects, record!);
    expect(recomputed.recomputedDigest).toBe(digestBefore);
  });

  it('names an altered raw file and its figures', async () => {
    await stack.objects.put(
      `incoming/${OP}/KE/r.csv`,
      'date,metric,value\n2025-11-14,arrests,6\n2025-11-14,irregular_migrants_detected,40\n',
    );
    const record = await stack.repo.getOperation(OP);
    const result = await reconcile(stack.repo, stack.objects, record!);
    const about = result.differences.filter((d) => d.where.startsWith('KE'));
    expect(about.map((d) => d.what).join('\n')).toMatch(/SHA-256[\s\S]*arrests: DynamoDB 5, raw file 6/);
  });

  it('reopens a final operation only with a reason, and logs it', async () => {
    expect((await setStatus('open')).status).toBe(409);
    const res = (await (
      await setStatus('open', 'Kenya sent a corrected return')
    ).json()) as StatusChangeResult;
    expect(res.statusLog.at(-1)).toMatchObject({
      from: 'final',
      to: 'open',
      reason: 'Kenya sent a corrected return',
    });
  });
});
