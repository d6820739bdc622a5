import { describe, expect, it } from 'vitest';
import { type CountryState, rollup } from '../../shared/domain/rollup.ts';
import { breakdownByKey, breakdownKeys } from '../../shared/domain/rollup-breakdowns.ts';
import { aCountryState, anOperation, liberterraIII } from '../support/builders.ts';

// `anOperation()`: BR (Americas), FR (Europe), KE (Africa); `victims_safeguarded` (a flow) broken
// down by exploitation: sexual_exploitation, forced_labour, other.

const KEYS = ['exploitation=sexual_exploitation', 'exploitation=forced_labour', 'exploitation=other'];

/** A country state whose return broke `metric` down as `byBreakdown` says. */
function withBreakdowns(
  state: CountryState,
  byBreakdown: CountryState['figures']['byBreakdown'],
): CountryState {
  return { ...state, figures: { ...state.figures, byBreakdown } };
}

/** An operation like `anOperation()` whose gauge `officers_deployed` is broken down by agency. */
function withGaugeBreakdown() {
  const base = anOperation();
  return anOperation({
    metrics: base.metrics.map((m) =>
      m.id === 'officers_deployed'
        ? { ...m, breakdowns: [{ dimension: 'agency', values: ['police', 'customs'] }] }
        : m,
    ),
  });
}

describe('rollup breakdowns', () => {
  const op = anOperation();

  it('lists each broken-down metric’s keys once, in the definition’s order, and only those metrics', () => {
    const r = rollup(op, []);

    expect(r.breakdowns?.keys).toEqual({ victims_safeguarded: KEYS });
    expect(breakdownKeys(op.metrics)).toEqual({ victims_safeguarded: KEYS });
  });

  it('leaves every breakdown value null, globally and in every region, before any return', () => {
    const r = rollup(op, []);

    expect(r.breakdowns?.totals).toEqual({ victims_safeguarded: [null, null, null] });
    expect(r.breakdowns?.byRegion).toEqual({
      Africa: { victims_safeguarded: [null, null, null] },
      Americas: { victims_safeguarded: [null, null, null] },
      Europe: { victims_safeguarded: [null, null, null] },
    });
    expect(r.breakdowns?.byCountry).toEqual({});
  });

  it('adds up the countries’ breakdowns by region and globally, keeping a reported 0 apart from not reported', () => {
    const states = [
      withBreakdowns(aCountryState(op, 'BR', { '2025-11-10': { victims_safeguarded: 9 } }), {
        victims_safeguarded: { 'exploitation=sexual_exploitation': 4, 'exploitation=forced_labour': 0 },
      }),
      withBreakdowns(aCountryState(op, 'FR', { '2025-11-10': { victims_safeguarded: 5 } }), {
        victims_safeguarded: { 'exploitation=sexual_exploitation': 3 },
      }),
      // Kenya reported arrests only: its breakdowns are not reported.
      aCountryState(op, 'KE', { '2025-11-10': { arrests: 2 } }),
    ];

    const b = rollup(op, states).breakdowns!;

    // other: reported by no country → null; forced labour: Brazil reported 0 → 0.
    expect(b.totals.victims_safeguarded).toEqual([7, 0, null]);
    expect(b.byRegion.Americas?.victims_safeguarded).toEqual([4, 0, null]);
    expect(b.byRegion.Europe?.victims_safeguarded).toEqual([3, null, null]);
    expect(b.byRegion.Africa?.victims_safeguarded).toEqual([null, null, null]);
    expect(b.byCountry.BR?.victims_safeguarded).toEqual([4, 0, null]);
    expect(b.byCountry.FR?.victims_safeguarded).toEqual([3, null, null]);
    expect(b.byCountry.KE?.victims_safeguarded).toEqual([null, null, null]);
    expect(breakdownByKey(b, 'victims_safeguarded', b.totals.victims_safeguarded)).toEqual({
      'exploitation=sexual_exploitation': 7,
      'exploitation=forced_labour': 0,
      'exploitation=other': null,
    });
  });

  it('sums the country peaks of a gauge’s breakdown, as it does for the gauge’s total', () => {
    const gaugeOp = withGaugeBreakdown();
    // Each country's breakdown figure is already its peak day (figuresOf): 40 and 12 for Brazil.
    const states = [
      withBreakdowns(
        aCountryState(gaugeOp, 'BR', {
          '2025-11-10': { officers_deployed: 50 },
          '2025-11-11': { officers_deployed: 30 },
        }),
        { officers_deployed: { 'agency=police': 40, 'agency=customs': 12 } },
      ),
      withBreakdowns(aCountryState(gaugeOp, 'FR', { '2025-11-10': { officers_deployed: 20 } }), {
        officers_deployed: { 'agency=police': 20 },
      }),
    ];

    const r = rollup(gaugeOp, states);

    expect(r.totals.officers_deployed).toBe(70);
    expect(r.breakdowns?.keys.officers_deployed).toEqual(['agency=police', 'agency=customs']);
    expect(r.breakdowns?.totals.officers_deployed).toEqual([60, 12]);
    expect(r.breakdowns?.byRegion.Europe?.officers_deployed).toEqual([20, null]);
  });

  it('follows a country’s correction: the new return’s breakdowns replace the old ones, a dropped value turns null', () => {
    const first = withBreakdowns(aCountryState(op, 'BR', { '2025-11-10': { victims_safeguarded: 9 } }), {
      victims_safeguarded: { 'exploitation=sexual_exploitation': 4, 'exploitation=other': 5 },
    });
    const corrected = withBreakdowns(
      aCountryState(op, 'BR', { '2025-11-10': { victims_safeguarded: 6 } }, { rev: 2 }),
      { victims_safeguarded: { 'exploitation=sexual_exploitation': 6 } },
    );
    const fr = withBreakdowns(aCountryState(op, 'FR', { '2025-11-10': { victims_safeguarded: 1 } }), {
      victims_safeguarded: { 'exploitation=other': 1 },
    });

    const before = rollup(op, [first, fr]);
    const after = rollup(op, [corrected, fr]);

    expect(before.breakdowns?.totals.victims_safeguarded).toEqual([4, null, 6]);
    expect(after.breakdowns?.totals.victims_safeguarded).toEqual([6, null, 1]);
    expect(after.breakdowns?.byCountry.BR?.victims_safeguarded).toEqual([6, null, null]);
    expect(after.version).toBeGreaterThan(before.version);
  });

  it('leaves out keys the definition no longer lists and countries that do not take part', () => {
    const states = [
      withBreakdowns(aCountryState(op, 'BR', { '2025-11-10': { victims_safeguarded: 9 } }), {
        victims_safeguarded: { 'exploitation=sexual_exploitation': 4, 'exploitation=begging': 5 },
      }),
      withBreakdowns(aCountryState(op, 'DE', { '2025-11-10': { victims_safeguarded: 9 } }), {
        victims_safeguarded: { 'exploitation=sexual_exploitation': 100 },
      }),
    ];

    const b = rollup(op, states).breakdowns!;

    expect(b.totals.victims_safeguarded).toEqual([4, null, null]);
    expect(Object.keys(b.byCountry)).toEqual(['BR']);
  });

  it('carries nothing per country when no metric is broken down', () => {
    const plain = anOperation({
      metrics: [{ id: 'arrests', label: 'Arrests', unit: 'persons', aggregation: 'sum' }],
      rules: [],
    });

    const r = rollup(plain, [aCountryState(plain, 'BR', { '2025-11-10': { arrests: 1 } })]);

    expect(r.breakdowns).toEqual({
      keys: {},
      totals: {},
      byRegion: { Africa: {}, Americas: {}, Europe: {} },
      byCountry: {},
    });
  });

  it('carries Liberterra III’s victims by type of exploitation', () => {
    const lib = liberterraIII();

    const keys = rollup(lib, []).breakdowns?.keys;

    expect(Object.keys(keys ?? {})).toEqual(['victims_safeguarded']);
    expect(keys?.victims_safeguarded).toContain('exploitation=forced_labour');
  });
});
