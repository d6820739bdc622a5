import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../shared/domain/final-export.ts';
import type { SdmxStructureMessage } from '../../shared/domain/sdmx-structure.ts';
import { freshStack } from '../support/local-servers.ts';
import { metricOfIndicator, sdmxCsvProblems, sdmxCsvRows, structureProblems } from '../support/sdmx-check.ts';

const OP = 'liberterra-iii';
const WINDOW = '2025-11-10/P12D';

describe('SDMX: the final export loads against the structure published beside it', () => {
  let stack: Awaited<ReturnType<typeof freshStack>>;
  const get = (path: string, token: string) =>
    fetch(`${stack.apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const setStatus = (status: string, reason: string) =>
    fetch(`${stack.apiUrl}/operations/${OP}/status`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.tokens.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status, reason }),
    });
  const structure = async (token = stack.tokens.auditor) =>
    (await (await get(`/operations/${OP}/final/structure`, token)).json()) as SdmxStructureMessage;
  const exported = async () => {
    const res = await get(`/operations/${OP}/final?format=sdmx-csv`, stack.tokens.auditor);
    return res.text();
  };

  beforeAll(async () => {
    stack = await freshStack();
    await stack.putReturn(
      `incoming/${OP}/BR/r.csv`,
      [
        'date,metric,breakdown,value',
        '2025-11-12,arrests,,12',
        '2025-11-13,arrests,,0',
        '2025-11-12,victims_safeguarded,,9',
        '2025-11-12,victims_safeguarded,exploitation=forced_labour,3',
        '2025-11-12,victims_safeguarded,exploitation=sexual_exploitation,4',
        '2025-11-12,officers_deployed,,300',
        '2025-11-13,officers_deployed,,320',
        '',
      ].join('\n'),
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

  it('refuses the structure, like the final figures, while the operation is open', async () => {
    const res = await get(`/operations/${OP}/final/structure`, stack.tokens.auditor);

    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toBe('not-closed');
  });

  it('serves an SDMX-JSON 2.0 structure message once the operation is closed', async () => {
    expect((await setStatus('closed', 'window ended')).status).toBe(200);

    const res = await get(`/operations/${OP}/final/structure`, stack.tokens.auditor);
    const message = (await res.json()) as SdmxStructureMessage;

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(
      'application/vnd.sdmx.structure+json; version=2.0.0; charset=utf-8',
    );
    expect(structureProblems(message)).toEqual([]);
    const record = await stack.repo.getOperation(OP);
    const [dsd] = message.data.dataStructures;
    expect(`${dsd.agencyID}:${dsd.id}(${dsd.version})`).toBe(
      `OPTALLY:DSD_LIBERTERRA_III(${record?.definitionVersion}.0.0)`,
    );
  });

  it('exports SDMX-CSV whose every row loads against that structure', async () => {
    const problems = sdmxCsvProblems(await exported(), await structure());

    expect(problems).toEqual([]);
  });

  it('gives the same totals, global and by country, as the JSON export', async () => {
    const message = await structure();
    const json = (await (await get(`/operations/${OP}/final?format=json`, stack.tokens.auditor)).json()) as {
      manifest: Manifest;
    };

    const totals: Record<string, Record<string, number>> = {};
    for (const r of sdmxCsvRows(await exported())) {
      if (r.BREAKDOWN !== '_T' || r.TIME_PERIOD !== WINDOW) continue;
      const metric = metricOfIndicator(message, r.INDICATOR ?? '') ?? `unknown ${r.INDICATOR}`;
      totals[r.REF_AREA ?? ''] = { ...totals[r.REF_AREA ?? ''], [metric]: Number(r.OBS_VALUE) };
    }

    const { _T: global, ...byCountry } = totals;
    const { figures, countries } = json.manifest;
    expect(global).toEqual(Object.fromEntries(Object.entries(figures.totals).filter(([, v]) => v !== null)));
    expect(byCountry).toEqual(Object.fromEntries(Object.entries(countries).map(([cc, f]) => [cc, f.totals])));
    expect(byCountry.BR).toEqual({ arrests: 12, victims_safeguarded: 9, officers_deployed: 320 });
  });

  it('writes breakdowns and days as codes and periods of the structure', async () => {
    const rows = sdmxCsvRows(await exported()).filter((r) => r.REF_AREA === 'BR');

    expect(
      rows
        .filter((r) => r.BREAKDOWN !== '_T')
        .map((r) => [r.INDICATOR, r.BREAKDOWN, r.TIME_PERIOD, r.OBS_VALUE]),
    ).toEqual([
      ['VICTIMS_SAFEGUARDED', 'EXPLOITATION_FORCED_LABOUR', WINDOW, '3'],
      ['VICTIMS_SAFEGUARDED', 'EXPLOITATION_SEXUAL_EXPLOITATION', WINDOW, '4'],
    ]);
    expect(rows.find((r) => r.INDICATOR === 'ARRESTS' && r.TIME_PERIOD === '2025-11-13')?.OBS_VALUE).toBe(
      '0',
    );
  });

  it('keeps serving the same structure to coordinators too once the operation is final', async () => {
    const closed = await structure();
    expect((await setStatus('final', 'all returns checked')).status).toBe(200);

    const final = await structure(stack.tokens.coordinator);

    expect(final.data).toEqual(closed.data);
    expect(sdmxCsvProblems(await exported(), final)).toEqual([]);
  });
});
