import { describe, expect, it } from 'vitest';
import { type CountryState, type RollupView, rollup } from '../../shared/domain/rollup.ts';
import { breakdownAreas, breakdownMetrics, breakdownSeries } from '../../web/src/breakdown-model.ts';
import { aCountryState, anOperation, liberterraIII } from '../support/builders.ts';

const lib = liberterraIII();

function withVictims(state: CountryState, byKey: Record<string, number>): CountryState {
  return { ...state, figures: { ...state.figures, byBreakdown: { victims_safeguarded: byKey } } };
}

function aView(states: CountryState[]): RollupView {
  return { ...rollup(lib, states), status: 'open' };
}

const BR = withVictims(aCountryState(lib, 'BR', { '2025-11-12': { victims_safeguarded: 5 } }), {
  'exploitation=forced_labour': 3,
  'exploitation=other': 0,
});
const KE = withVictims(aCountryState(lib, 'KE', { '2025-11-12': { victims_safeguarded: 2 } }), {
  'exploitation=forced_labour': 2,
});

describe('breakdown chart model', () => {
  it('offers only the metrics that have breakdowns, labelled in the page’s language', () => {
    expect(breakdownMetrics(aView([]), lib.metrics, 'en')).toEqual([
      { id: 'victims_safeguarded', label: lib.metrics.find((m) => m.id === 'victims_safeguarded')?.label },
    ]);
    expect(breakdownMetrics(aView([]), lib.metrics, 'fr')[0]?.label).not.toBe(
      breakdownMetrics(aView([]), lib.metrics, 'en')[0]?.label,
    );
  });

  it('offers every participant first, then each region', () => {
    expect(breakdownAreas(aView([]))[0]).toBe('global');
    expect(breakdownAreas(aView([]))).toContain('Africa');
  });

  it('gives each value its label from the definition and its global figure, 0 and not reported apart', () => {
    const s = breakdownSeries(aView([BR, KE]), lib.metrics, 'victims_safeguarded', 'global', 'en');

    const at = (label: string) => s.values[s.labels.indexOf(label)];
    expect(s.state).toBe('ok');
    expect(s.dimension).toBe('Type of exploitation');
    expect(at('Forced labour')).toBe(5);
    expect(at('Other')).toBe(0);
    expect(at('Sexual exploitation')).toBeNull();
    expect(s.labels).toHaveLength(6);
  });

  it('reads the value labels in French, Spanish and Arabic', () => {
    for (const locale of ['fr', 'es', 'ar'] as const) {
      const s = breakdownSeries(aView([BR]), lib.metrics, 'victims_safeguarded', 'global', locale);
      expect(s.labels).not.toContain('Forced labour');
      expect(s.labels.every((l) => l.length > 0 && !l.includes('_'))).toBe(true);
    }
  });

  it('shows the selected region’s figures only', () => {
    const s = breakdownSeries(aView([BR, KE]), lib.metrics, 'victims_safeguarded', 'Africa', 'en');

    expect(s.values).toEqual([null, 2, null, null, null, null]);
  });

  it('says when no country has reported the breakdown in the area', () => {
    expect(breakdownSeries(aView([BR]), lib.metrics, 'victims_safeguarded', 'Europe', 'en').state).toBe(
      'none-reported',
    );
  });

  it('says when the rollup carries no breakdowns (stored before it did)', () => {
    const { breakdowns: _none, ...old } = aView([BR]);

    expect(breakdownSeries(old, lib.metrics, 'victims_safeguarded', 'global', 'en').state).toBe(
      'unavailable',
    );
    expect(breakdownMetrics(old, lib.metrics, 'en').map((m) => m.id)).toEqual(['victims_safeguarded']);
  });

  it('prefixes values with their dimension when a metric is broken down two ways', () => {
    const op = anOperation({
      metrics: [
        {
          id: 'arrests',
          label: 'Arrests',
          unit: 'persons',
          aggregation: 'sum',
          breakdowns: [
            { dimension: 'sex', label: 'Sex', values: ['female', 'male'] },
            { dimension: 'age', label: 'Age', values: ['minor', 'adult'] },
          ],
        },
      ],
      rules: [],
    });
    const view: RollupView = { ...rollup(op, []), status: 'open' };

    const s = breakdownSeries(view, op.metrics, 'arrests', 'global', 'en');

    expect(s.dimension).toBe('Sex / Age');
    expect(s.labels).toEqual(['Sex: female', 'Sex: male', 'Age: minor', 'Age: adult']);
  });
});
