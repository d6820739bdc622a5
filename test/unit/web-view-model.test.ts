import { describe, expect, it } from 'vitest';
import type { Operation } from '../../shared/domain/operation.ts';
import { type CountryState, type RollupView, rollup } from '../../shared/domain/rollup.ts';
import {
  type CountryRow,
  countryNames,
  countryRows,
  DEFAULT_SORT,
  dayChange,
  daySeries,
  describeChange,
  filterRows,
  latestDay,
  NO_FILTER,
  nextSort,
  regionSeries,
  sortRows,
} from '../../web/src/view-model.ts';
import { aCountryState, anOperation } from '../support/builders.ts';

const op: Operation = anOperation();

function aView(states: CountryState[], status: RollupView['status'] = 'open'): RollupView {
  return { ...rollup(op, states), status };
}

function aRow(code: string, overrides: Partial<CountryRow> = {}): CountryRow {
  return {
    code,
    name: code,
    region: 'Europe',
    status: 'on-time',
    acceptedAt: null,
    figures: {},
    ...overrides,
  };
}

const codes = (rows: CountryRow[]) => rows.map((r) => r.code);

describe('countryRows', () => {
  it('lists every participant, reported or not, with the reported ones’ figures', () => {
    const view = aView([aCountryState(op, 'BR', { '2025-11-10': { arrests: 4 } })]);

    const rows = countryRows(view, op.participants);

    expect(codes(rows)).toEqual(['BR', 'FR', 'KE']);
    expect(rows[0]).toMatchObject({ status: 'on-time', acceptedAt: '2025-11-12T10:00:01.000Z' });
    expect(rows[0]?.figures.arrests).toBe(4);
    expect(rows[1]).toMatchObject({ status: 'missing', acceptedAt: null });
  });

  it('keeps a reported zero as 0 and a metric the country did not report as null', () => {
    const view = aView([aCountryState(op, 'FR', { '2025-11-10': { arrests: 0 } })]);

    const france = countryRows(view, op.participants).find((r) => r.code === 'FR');

    expect(france?.figures.arrests).toBe(0);
    expect(france?.figures.victims_safeguarded).toBeNull();
  });

  it('marks a country whose first accepted return was received after the deadline as late', () => {
    const late = aCountryState(
      op,
      'KE',
      { '2025-11-10': { arrests: 1 } },
      { firstReceivedAt: '2025-11-16T00:00:00Z', firstAcceptedAt: '2025-11-16T00:00:01Z' },
    );

    const kenya = countryRows(aView([late]), op.participants).find((r) => r.code === 'KE');

    expect(kenya?.status).toBe('late');
  });

  it('shows a country the rollup knows but the held definition does not', () => {
    const view = aView([aCountryState(op, 'BR', { '2025-11-10': { arrests: 4 } })]);

    const rows = countryRows(view, []);

    expect(rows.find((r) => r.code === 'BR')).toMatchObject({ name: 'Brazil', region: 'Americas' });
    expect(rows.find((r) => r.code === 'FR')).toMatchObject({ status: 'missing', name: 'FR' });
  });
});

describe('sortRows', () => {
  const rows = [
    aRow('AA', { name: 'Bravo', figures: { arrests: 5 } }),
    aRow('BB', { name: 'Alpha', figures: { arrests: null } }),
    aRow('CC', { name: 'Charlie', figures: { arrests: 0 } }),
    aRow('DD', { name: 'Delta', figures: { arrests: 12 } }),
  ];

  it('sorts by name A to Z by default', () => {
    expect(codes(sortRows(rows, DEFAULT_SORT))).toEqual(['BB', 'AA', 'CC', 'DD']);
  });

  it('puts not-reported figures last in both directions, with a reported 0 sorted as a number', () => {
    expect(codes(sortRows(rows, { key: 'metric:arrests', direction: 'descending' }))).toEqual([
      'DD',
      'AA',
      'CC',
      'BB',
    ]);
    expect(codes(sortRows(rows, { key: 'metric:arrests', direction: 'ascending' }))).toEqual([
      'CC',
      'AA',
      'DD',
      'BB',
    ]);
  });

  it('breaks ties by name', () => {
    const tied = [aRow('X1', { name: 'Zulu', region: 'Asia' }), aRow('X2', { name: 'Echo', region: 'Asia' })];

    expect(codes(sortRows(tied, { key: 'region', direction: 'descending' }))).toEqual(['X2', 'X1']);
  });

  it('orders statuses reported, late, missing', () => {
    const mixed = [
      aRow('M', { status: 'missing' }),
      aRow('L', { status: 'late' }),
      aRow('O', { status: 'on-time' }),
    ];

    expect(codes(sortRows(mixed, { key: 'status', direction: 'ascending' }))).toEqual(['O', 'L', 'M']);
  });

  it('sorts by last update, newest first when descending, never-updated last', () => {
    const timed = [
      aRow('OLD', { acceptedAt: '2025-11-10T08:00:00Z' }),
      aRow('NEVER', { acceptedAt: null }),
      aRow('NEW', { acceptedAt: '2025-11-12T08:00:00Z' }),
    ];

    expect(codes(sortRows(timed, { key: 'updated', direction: 'descending' }))).toEqual([
      'NEW',
      'OLD',
      'NEVER',
    ]);
  });

  it('does not reorder the array it is given', () => {
    const copy = [...rows];
    sortRows(rows, { key: 'metric:arrests', direction: 'descending' });
    expect(rows).toEqual(copy);
  });
});

describe('nextSort', () => {
  it('flips the direction when the same column is chosen again', () => {
    expect(nextSort({ key: 'name', direction: 'ascending' }, 'name')).toEqual({
      key: 'name',
      direction: 'descending',
    });
  });

  it('starts a figure column biggest first and a text column A to Z', () => {
    expect(nextSort(DEFAULT_SORT, 'metric:arrests')).toEqual({
      key: 'metric:arrests',
      direction: 'descending',
    });
    expect(nextSort({ key: 'metric:arrests', direction: 'descending' }, 'region')).toEqual({
      key: 'region',
      direction: 'ascending',
    });
  });
});

describe('filterRows', () => {
  const rows = [
    aRow('ON', { region: 'Europe', status: 'on-time' }),
    aRow('LATE', { region: 'Africa', status: 'late' }),
    aRow('MISS', { region: 'Europe', status: 'missing' }),
  ];

  it('keeps every row without a filter', () => {
    expect(codes(filterRows(rows, NO_FILTER))).toEqual(['ON', 'LATE', 'MISS']);
  });

  it('counts late reporters as reported', () => {
    expect(codes(filterRows(rows, { region: 'all', status: 'reported' }))).toEqual(['ON', 'LATE']);
  });

  it('filters late and missing countries', () => {
    expect(codes(filterRows(rows, { region: 'all', status: 'late' }))).toEqual(['LATE']);
    expect(codes(filterRows(rows, { region: 'all', status: 'missing' }))).toEqual(['MISS']);
  });

  it('combines a region with a status', () => {
    expect(codes(filterRows(rows, { region: 'Europe', status: 'missing' }))).toEqual(['MISS']);
    expect(codes(filterRows(rows, { region: 'Asia', status: 'all' }))).toEqual([]);
  });
});

describe('latestDay and dayChange', () => {
  it('has no latest day before anyone reports', () => {
    const view = aView([]);
    expect(latestDay(view.byDay)).toBeNull();
    expect(dayChange(view, 'arrests')).toBeNull();
  });

  it('takes the last day with a figure, a reported 0 included', () => {
    const view = aView([
      aCountryState(op, 'BR', { '2025-11-10': { arrests: 4 }, '2025-11-11': { arrests: 0 } }),
    ]);

    expect(latestDay(view.byDay)).toBe('2025-11-11');
  });

  it('gives a flow’s latest day figure as what the day added', () => {
    const view = aView([
      aCountryState(op, 'BR', { '2025-11-10': { arrests: 4 }, '2025-11-11': { arrests: 6 } }),
      aCountryState(op, 'FR', { '2025-11-11': { arrests: 3 } }),
    ]);

    expect(dayChange(view, 'arrests')).toEqual({ date: '2025-11-11', change: 9, kind: 'added' });
  });

  it('uses each metric’s own latest day', () => {
    const view = aView([
      aCountryState(op, 'BR', { '2025-11-10': { victims_safeguarded: 2 }, '2025-11-12': { arrests: 1 } }),
    ]);

    expect(dayChange(view, 'victims_safeguarded')).toEqual({ date: '2025-11-10', change: 2, kind: 'added' });
  });

  it('gives a gauge’s change from the previous day with a figure', () => {
    const view = aView([
      aCountryState(op, 'BR', {
        '2025-11-10': { officers_deployed: 100 },
        '2025-11-12': { officers_deployed: 80 },
      }),
    ]);

    expect(dayChange(view, 'officers_deployed')).toEqual({ date: '2025-11-12', change: -20, kind: 'delta' });
  });

  it('gives a gauge’s first day as a change from nothing', () => {
    const view = aView([aCountryState(op, 'BR', { '2025-11-11': { officers_deployed: 70 } })]);

    expect(dayChange(view, 'officers_deployed')).toEqual({ date: '2025-11-11', change: 70, kind: 'delta' });
  });
});

describe('daySeries', () => {
  it('lists every window day with daily figures and a running total that starts at the first figure', () => {
    const view = aView([
      aCountryState(op, 'BR', { '2025-11-11': { arrests: 4 }, '2025-11-12': { arrests: 0 } }),
    ]);

    expect(daySeries(view, 'arrests')).toEqual({
      days: ['2025-11-10', '2025-11-11', '2025-11-12'],
      daily: [null, 4, 0],
      cumulative: [null, 4, 4],
    });
  });

  it('carries the running total over a day without figures', () => {
    const view = aView([
      aCountryState(op, 'BR', { '2025-11-10': { arrests: 4 }, '2025-11-12': { arrests: 1 } }),
    ]);

    expect(daySeries(view, 'arrests').cumulative).toEqual([4, 4, 5]);
  });

  it('gives a gauge no running total', () => {
    const view = aView([aCountryState(op, 'BR', { '2025-11-10': { officers_deployed: 40 } })]);

    expect(daySeries(view, 'officers_deployed')).toMatchObject({ daily: [40, null, null], cumulative: null });
  });
});

describe('regionSeries and countryNames', () => {
  it('gives each region’s figure, null where nobody reported', () => {
    const view = aView([aCountryState(op, 'FR', { '2025-11-10': { arrests: 0 } })]);

    expect(regionSeries(view, 'arrests')).toEqual({
      regions: ['Africa', 'Americas', 'Europe'],
      values: [null, null, 0],
    });
  });

  it('names countries by name order, falling back to the code', () => {
    expect(countryNames(['KE', 'ZZ', 'BR'], op.participants)).toEqual([
      { code: 'BR', name: 'Brazil' },
      { code: 'KE', name: 'Kenya' },
      { code: 'ZZ', name: 'ZZ' },
    ]);
  });
});

describe('describeChange', () => {
  it('says what a flow’s latest day added', () => {
    expect(describeChange(25, { date: '2025-11-14', change: 5, kind: 'added' }, 'en-GB')).toBe(
      '+5 on 14 Nov',
    );
  });

  it('says how a gauge moved from the day before', () => {
    expect(describeChange(80, { date: '2025-11-12', change: -20, kind: 'delta' }, 'en-GB')).toBe(
      '−20 vs day before, 12 Nov',
    );
  });

  it('says “not reported” rather than any change when there is no figure', () => {
    expect(describeChange(null, null)).toBe('not reported');
  });
});
