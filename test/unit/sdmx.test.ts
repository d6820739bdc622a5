import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildManifest, finalSdmxCsv, type Provenance } from '../../shared/domain/final-export.ts';
import type { Operation } from '../../shared/domain/operation.ts';
import type { CountryState } from '../../shared/domain/rollup.ts';
import {
  breakdownCode,
  breakdownOfCode,
  indicatorCode,
  SdmxCodeError,
  sdmxArtefacts,
  sdmxReference,
  sdmxWindow,
} from '../../shared/domain/sdmx.ts';
import { SdmxStructureError, sdmxStructure } from '../../shared/domain/sdmx-structure.ts';
import { aCountryState, anOperation, liberterraIII } from '../support/builders.ts';
import {
  isSdmxTimePeriod,
  metricOfIndicator,
  sdmxCsvProblems,
  sdmxCsvRows,
  structureProblems,
} from '../support/sdmx-check.ts';

const PREPARED = new Date('2025-11-26T09:00:00Z');

/** A country state with breakdown figures over the window, as the ingest stores them. */
function withBreakdowns(
  state: CountryState,
  byBreakdown: Record<string, Record<string, number>>,
): CountryState {
  return { ...state, figures: { ...state.figures, byBreakdown } };
}

function provenanceOf(op: Operation, states: readonly CountryState[]): Provenance[] {
  return states.map((s) => ({
    country: s.country,
    submissionId: s.submissionId,
    key: `incoming/${op.id}/${s.country}/u1/return.csv`,
    versionId: null,
    sha256: 'a'.repeat(64),
    size: 1000,
    receivedAt: s.receivedAt,
    acceptedAt: s.acceptedAt,
  }));
}

/** BR with days and a breakdown, KE with one day, FR reporting a zero: the small test operation. */
function aReportedOperation(definitionVersion = 1) {
  const op = anOperation();
  const states = [
    withBreakdowns(
      aCountryState(op, 'BR', {
        '2025-11-10': { arrests: 3, victims_safeguarded: 5, officers_deployed: 40 },
        '2025-11-12': { arrests: 4, officers_deployed: 55 },
      }),
      { victims_safeguarded: { 'exploitation=forced_labour': 2, 'exploitation=other': 1 } },
    ),
    aCountryState(op, 'FR', { '2025-11-11': { arrests: 0 } }),
    aCountryState(op, 'KE', { '2025-11-12': { arrests: 7, officers_deployed: 12 } }),
  ];
  const manifest = buildManifest(op, 'final', states, provenanceOf(op, states), 'v1', definitionVersion);
  return { op, manifest };
}

const identifier = fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/);

describe('SDMX codes', () => {
  it('upper-cases a metric id into its INDICATOR code', () => {
    expect(indicatorCode('arrests_trafficking_smuggling')).toBe('ARRESTS_TRAFFICKING_SMUGGLING');
  });

  it('writes a breakdown as DIMENSION_VALUE', () => {
    expect(breakdownCode('exploitation=forced_labour')).toBe('EXPLOITATION_FORCED_LABOUR');
  });

  it('separates a dimension that has an underscore of its own with a hyphen', () => {
    expect(breakdownCode('age_group=under_18')).toBe('AGE_GROUP-UNDER_18');
    expect(breakdownCode('age=group_under_18')).toBe('AGE_GROUP_UNDER_18');
  });

  it('gives every breakdown a code of its own, which reads back to it', () => {
    fc.assert(
      fc.property(identifier, identifier, identifier, identifier, (d1, v1, d2, v2) => {
        const [a, b] = [`${d1}=${v1}`, `${d2}=${v2}`];
        expect(breakdownOfCode(breakdownCode(a))).toBe(a);
        expect(breakdownCode(a) === breakdownCode(b)).toBe(a === b);
      }),
    );
  });

  it.each([
    '=HYPERLINK("http://evil.example")',
    'exploitation',
    'exploitation=forced_labour=x',
    'Exploitation=forced_labour',
    'exploitation=forced labour',
  ])('refuses to make a BREAKDOWN code of "%s"', (breakdown) => {
    expect(() => breakdownCode(breakdown)).toThrow(SdmxCodeError);
  });

  it('writes the operation window as its first day and its length in days', () => {
    expect(sdmxWindow({ start: '2025-11-10', end: '2025-11-21' })).toBe('2025-11-10/P12D');
    expect(sdmxWindow({ start: '2025-11-10', end: '2025-11-10' })).toBe('2025-11-10/P1D');
    expect(sdmxWindow({ start: '2025-12-30', end: '2026-01-02' })).toBe('2025-12-30/P4D');
    expect(sdmxWindow({ start: '2024-02-28', end: '2024-03-01' })).toBe('2024-02-28/P3D');
  });

  it('names the data structure after the operation, versioned by its definition', () => {
    const { dataStructure } = sdmxArtefacts('liberterra-iii', 3);

    expect(sdmxReference(dataStructure)).toBe('OPTALLY:DSD_LIBERTERRA_III(3.0.0)');
  });
});

describe('sdmxStructure', () => {
  it('publishes codelists of the participants, the metrics and the breakdowns, with _T', () => {
    const op = liberterraIII();
    const manifest = buildManifest(op, 'final', [], [], 'v1');

    const [refAreas, indicators, breakdowns] = sdmxStructure(op, manifest, PREPARED).data.codelists;

    expect(refAreas.codes.map((c) => c.id)).toEqual(['_T', ...op.participants.map((p) => p.code).sort()]);
    expect(refAreas.codes.find((c) => c.id === 'BR')?.name).toBe('Brazil');
    expect(indicators.codes.map((c) => c.id)).toEqual([
      'ARRESTS',
      'ARRESTS_TRAFFICKING_SMUGGLING',
      'VICTIMS_SAFEGUARDED',
      'IRREGULAR_MIGRANTS_DETECTED',
      'INVESTIGATIONS_OPENED',
      'OFFICERS_DEPLOYED',
    ]);
    expect(breakdowns.codes.map((c) => c.id)).toEqual([
      '_T',
      'EXPLOITATION_SEXUAL_EXPLOITATION',
      'EXPLOITATION_FORCED_LABOUR',
      'EXPLOITATION_FORCED_CRIMINALITY',
      'EXPLOITATION_DOMESTIC_SERVITUDE',
      'EXPLOITATION_ORGAN_REMOVAL',
      'EXPLOITATION_OTHER',
    ]);
  });

  it('declares the dimensions, the measure and the attributes the export carries', () => {
    const { op, manifest } = aReportedOperation();

    const [dsd] = sdmxStructure(op, manifest, PREPARED).data.dataStructures;
    const { dimensionList, measureList, attributeList } = dsd.dataStructureComponents;

    expect(dimensionList.dimensions.map((d) => d.id)).toEqual(['REF_AREA', 'INDICATOR', 'BREAKDOWN']);
    expect(dimensionList.timeDimension.localRepresentation.format.dataType).toBe('ObservationalTimePeriod');
    expect(measureList.measures.map((m) => [m.id, m.localRepresentation.format])).toEqual([
      ['OBS_VALUE', { dataType: 'Long', minValue: 0 }],
    ]);
    expect(attributeList.attributes.map((a) => [a.id, a.usage])).toEqual([
      ['SUBMISSION_ID', 'optional'],
      ['MANIFEST_SHA256', 'mandatory'],
    ]);
  });

  it('is a well-formed structure message: SDMX ids, semantic versions, references that resolve', () => {
    const op = liberterraIII();

    const message = sdmxStructure(op, buildManifest(op, 'final', [], [], 'v1'), PREPARED);

    expect(structureProblems(message)).toEqual([]);
    expect(message.meta.prepared).toBe('2025-11-26T09:00:00.000Z');
  });

  it('takes its version from the definition the figures were computed with', () => {
    const { op, manifest } = aReportedOperation(4);

    const [dsd] = sdmxStructure(op, manifest, PREPARED).data.dataStructures;

    expect(sdmxReference(dsd)).toBe('OPTALLY:DSD_TEST_OP(4.0.0)');
  });

  it('refuses a definition the figures were not computed from', () => {
    const { manifest } = aReportedOperation();
    const changed = anOperation({ name: 'Operation Test, renamed' });

    expect(() => sdmxStructure(changed, manifest, PREPARED)).toThrow(SdmxStructureError);
  });
});

describe('finalSdmxCsv', () => {
  it('loads against the published structure: codes in their codelists, SDMX periods, whole numbers', () => {
    const { op, manifest } = aReportedOperation();

    const text = finalSdmxCsv(manifest, op.window);

    expect(sdmxCsvProblems(text, sdmxStructure(op, manifest, PREPARED))).toEqual([]);
  });

  it('names the published structure in every row', () => {
    const { op, manifest } = aReportedOperation(2);

    const rows = sdmxCsvRows(finalSdmxCsv(manifest, op.window));

    expect(new Set(rows.map((r) => `${r.STRUCTURE} ${r.STRUCTURE_ID}`))).toEqual(
      new Set(['datastructure OPTALLY:DSD_TEST_OP(2.0.0)']),
    );
  });

  it('writes each day as a day and the window totals as the window’s first day and length', () => {
    const { op, manifest } = aReportedOperation();

    const rows = sdmxCsvRows(finalSdmxCsv(manifest, op.window));
    const periods = new Set(rows.map((r) => r.TIME_PERIOD));

    expect(periods).toEqual(new Set(['2025-11-10/P3D', '2025-11-10', '2025-11-11', '2025-11-12']));
    expect(rows.every((r) => isSdmxTimePeriod(r.TIME_PERIOD ?? ''))).toBe(true);
    expect(
      rows.filter((r) => r.REF_AREA === 'BR' && r.BREAKDOWN !== '_T').map((r) => [r.BREAKDOWN, r.OBS_VALUE]),
    ).toEqual([
      ['EXPLOITATION_FORCED_LABOUR', '2'],
      ['EXPLOITATION_OTHER', '1'],
    ]);
  });

  it('gives the totals of the manifest, global and by country, a reported 0 included', () => {
    const { op, manifest } = aReportedOperation();
    const structure = sdmxStructure(op, manifest, PREPARED);

    const rows = sdmxCsvRows(finalSdmxCsv(manifest, op.window)).filter(
      (r) => r.BREAKDOWN === '_T' && r.TIME_PERIOD === '2025-11-10/P3D',
    );
    const totals: Record<string, Record<string, number>> = {};
    for (const r of rows) {
      const metric = metricOfIndicator(structure, r.INDICATOR ?? '') ?? `unknown ${r.INDICATOR}`;
      totals[r.REF_AREA ?? ''] = { ...totals[r.REF_AREA ?? ''], [metric]: Number(r.OBS_VALUE) };
    }

    const { _T: global, ...byCountry } = totals;
    expect(global).toEqual(
      Object.fromEntries(Object.entries(manifest.figures.totals).filter(([, v]) => v !== null)),
    );
    expect(byCountry).toEqual(
      Object.fromEntries(Object.entries(manifest.countries).map(([cc, f]) => [cc, f.totals])),
    );
    expect(byCountry.FR).toEqual({ arrests: 0 });
  });

  it('carries the submission of each country row and the manifest digest of every row', () => {
    const { op, manifest } = aReportedOperation();

    const rows = sdmxCsvRows(finalSdmxCsv(manifest, op.window));

    expect(new Set(rows.filter((r) => r.REF_AREA === 'KE').map((r) => r.SUBMISSION_ID))).toEqual(
      new Set(['KE-20251112T100000000Z-000000000000']),
    );
    expect(rows.filter((r) => r.REF_AREA === '_T').every((r) => r.SUBMISSION_ID === '')).toBe(true);
    expect(new Set(rows.map((r) => r.MANIFEST_SHA256)).size).toBe(1);
  });

  it('defuses an attribute value a spreadsheet would run as a formula', () => {
    const op = anOperation();
    const states = [aCountryState(op, 'BR', { '2025-11-10': { arrests: 1 } }, { submissionId: '=cmd|x' })];
    const manifest = buildManifest(op, 'final', states, provenanceOf(op, states), 'v1');

    const text = finalSdmxCsv(manifest, op.window);

    expect(text).not.toMatch(/(^|,)[=+\-@]/m);
    expect(
      new Set(
        sdmxCsvRows(text)
          .filter((r) => r.REF_AREA === 'BR')
          .map((r) => r.SUBMISSION_ID),
      ),
    ).toEqual(new Set(["'=cmd|x"]));
  });

  it('refuses a figure that has no SDMX code rather than write it', () => {
    const op = anOperation();
    const state = withBreakdowns(aCountryState(op, 'BR', { '2025-11-10': { victims_safeguarded: 2 } }), {
      victims_safeguarded: { '=HYPERLINK("http://evil.example")': 2 },
    });
    const manifest = buildManifest(op, 'final', [state], provenanceOf(op, [state]), 'v1');

    expect(() => finalSdmxCsv(manifest, op.window)).toThrow(SdmxCodeError);
  });

  it('loads for Liberterra III with every participant reporting every metric', () => {
    const op = liberterraIII();
    const states = op.participants.map((p, i) =>
      withBreakdowns(
        aCountryState(op, p.code, {
          '2025-11-10': Object.fromEntries(op.metrics.map((m, j) => [m.id, i + j])),
          '2025-11-21': { arrests: i },
        }),
        { victims_safeguarded: { 'exploitation=organ_removal': i, 'exploitation=domestic_servitude': 1 } },
      ),
    );
    const manifest = buildManifest(op, 'final', states, provenanceOf(op, states), 'v1');

    const text = finalSdmxCsv(manifest, op.window);

    expect(sdmxCsvProblems(text, sdmxStructure(op, manifest, PREPARED))).toEqual([]);
    expect(sdmxCsvRows(text).filter((r) => r.REF_AREA === '_T')[0]?.TIME_PERIOD).toBe('2025-11-10/P12D');
  });
});
