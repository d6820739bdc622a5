import { describe, expect, it } from 'vitest';
import type { FiguresSummary, SubmissionView } from '../../shared/api/responses.ts';
import {
  breakdownTables,
  correction,
  dayRows,
  figuresToLoad,
  findParticipant,
  history,
  historyKey,
} from '../../web/src/country-model.ts';

const PARTICIPANTS = [
  { code: 'BR', name: 'Brazil', region: 'Americas' as const },
  { code: 'CW', name: 'Curaçao', region: 'Americas' as const },
  { code: 'FR', name: 'France', region: 'Europe' as const },
];
const METRICS = ['arrests', 'victims_safeguarded', 'officers_deployed'];

/** A submission as the API lists it; only what the model reads varies. */
function submission(
  id: string,
  status: SubmissionView['status'],
  receivedAt = '2025-11-14T10:00:00Z',
): SubmissionView {
  return {
    id,
    country: 'BR',
    key: `incoming/liberterra-iii/BR/${id}.csv`,
    uploadId: `u-${id}`,
    size: 100,
    sha256: 'a'.repeat(64),
    receivedAt,
    processedAt: receivedAt,
    errors: status === 'rejected' ? 1 : 0,
    warnings: 0,
    status,
    failure: null,
  };
}

const FIRST: FiguresSummary = {
  totals: { arrests: 20, officers_deployed: 140 },
  byDay: {
    '2025-11-12': { arrests: 12, officers_deployed: 100 },
    '2025-11-13': { arrests: 8, officers_deployed: 140 },
  },
};
const SECOND: FiguresSummary = {
  totals: { arrests: 5, officers_deployed: 140, victims_safeguarded: 0 },
  byDay: {
    '2025-11-13': { arrests: 5, officers_deployed: 140 },
    '2025-11-14': { victims_safeguarded: 0 },
  },
};

describe('findParticipant', () => {
  it('finds a participant by its code, however it is written', () => {
    expect(findParticipant('cw', PARTICIPANTS)?.name).toBe('Curaçao');
    expect(findParticipant(' FR ', PARTICIPANTS)?.name).toBe('France');
  });

  it('finds nothing for a code that is no participant, or no country code at all', () => {
    for (const code of ['DE', 'ZZ', 'FRA', '', 'F', '../FR'])
      expect(findParticipant(code, PARTICIPANTS)).toBeNull();
  });
});

describe('dayRows', () => {
  it('gives every day of the window and every metric, null where nothing was reported and 0 where zero was', () => {
    const rows = dayRows(METRICS, ['2025-11-12', '2025-11-13', '2025-11-14'], SECOND.byDay);

    expect(rows).toEqual([
      { date: '2025-11-12', figures: [null, null, null] },
      { date: '2025-11-13', figures: [5, null, 140] },
      { date: '2025-11-14', figures: [null, 0, null] },
    ]);
  });

  it('keeps a day the figures hold outside the window, in date order', () => {
    expect(dayRows(['arrests'], ['2025-11-13'], { '2025-11-01': { arrests: 1 } }).map((r) => r.date)).toEqual(
      ['2025-11-01', '2025-11-13'],
    );
  });
});

describe('breakdownTables', () => {
  const metrics = [
    { id: 'arrests', aggregation: 'sum' as const, breakdowns: [] },
    {
      id: 'victims_safeguarded',
      aggregation: 'sum' as const,
      breakdowns: [{ dimension: 'exploitation', values: ['sexual_exploitation', 'forced_labour', 'other'] }],
    },
  ];

  it('gives a table per dimension, values in the definition’s order, by day and over the window', () => {
    const tables = breakdownTables(
      metrics,
      { victims_safeguarded: { 'exploitation=forced_labour': 0, 'exploitation=sexual_exploitation': 7 } },
      {
        '2025-11-14': { victims_safeguarded: { 'exploitation=sexual_exploitation': 4 } },
        '2025-11-13': {
          victims_safeguarded: { 'exploitation=sexual_exploitation': 3, 'exploitation=forced_labour': 0 },
        },
      },
    );

    expect(tables).toEqual([
      {
        metric: 'victims_safeguarded',
        dimension: 'exploitation',
        days: ['2025-11-13', '2025-11-14'],
        rows: [
          { value: 'sexual_exploitation', total: 7, byDay: [3, 4] },
          { value: 'forced_labour', total: 0, byDay: [0, null] },
          { value: 'other', total: null, byDay: [null, null] },
        ],
      },
    ]);
  });

  it('gives the table of a dimension nobody reported, every figure null', () => {
    const [table] = breakdownTables(metrics, {}, {});

    expect(table?.days).toEqual([]);
    expect(table?.rows.map((r) => r.total)).toEqual([null, null, null]);
  });
});

describe('correction', () => {
  it('lists each metric total and each day that changed, from what to what', () => {
    const c = correction(METRICS, 'first', FIRST, SECOND);

    expect(c.unchanged).toBe(false);
    expect(c.totals).toEqual([
      { metric: 'arrests', date: null, kind: 'changed', before: 20, after: 5 },
      { metric: 'victims_safeguarded', date: null, kind: 'added', before: null, after: 0 },
    ]);
    expect(c.days).toEqual([
      { metric: 'arrests', date: '2025-11-12', kind: 'removed', before: 12, after: null },
      { metric: 'arrests', date: '2025-11-13', kind: 'changed', before: 8, after: 5 },
      { metric: 'victims_safeguarded', date: '2025-11-14', kind: 'added', before: null, after: 0 },
      { metric: 'officers_deployed', date: '2025-11-12', kind: 'removed', before: 100, after: null },
    ]);
    expect(c.daysRemoved).toEqual(['2025-11-12']);
  });

  it('tells a reported 0 that replaces a figure from a figure no longer reported', () => {
    const before: FiguresSummary = { totals: { arrests: 3 }, byDay: { '2025-11-12': { arrests: 3 } } };
    const toZero = correction(['arrests'], 'a', before, {
      totals: { arrests: 0 },
      byDay: { '2025-11-12': { arrests: 0 } },
    });
    const dropped = correction(['arrests'], 'a', before, { totals: {}, byDay: {} });

    expect(toZero.days).toEqual([
      { metric: 'arrests', date: '2025-11-12', kind: 'changed', before: 3, after: 0 },
    ]);
    expect(dropped.days).toEqual([
      { metric: 'arrests', date: '2025-11-12', kind: 'removed', before: 3, after: null },
    ]);
  });

  it('says when a return gave the same figures as the one it replaced', () => {
    const c = correction(METRICS, 'first', FIRST, structuredClone(FIRST));

    expect(c).toEqual({ replaced: 'first', unchanged: true, totals: [], days: [], daysRemoved: [] });
  });
});

describe('history', () => {
  const subs = [
    submission('BR-1', 'superseded', '2025-11-12T09:00:00Z'),
    submission('BR-2', 'rejected', '2025-11-13T09:00:00Z'),
    submission('BR-3', 'accepted', '2025-11-14T09:00:00Z'),
    submission('BR-4', 'processing', '2025-11-14T10:00:00Z'),
  ];
  const figures = new Map<string, FiguresSummary | null>([
    ['BR-1', FIRST],
    ['BR-3', SECOND],
  ]);

  it('lists every file newest first; an accepted return is compared with the accepted one before it', () => {
    const entries = history(METRICS, subs, 'BR-3', (id) => figures.get(id));

    expect(entries.map((e) => [e.submission.id, e.current])).toEqual([
      ['BR-4', false],
      ['BR-3', true],
      ['BR-2', false],
      ['BR-1', false],
    ]);
    expect(entries[0]!.correction).toBeNull();
    expect(entries[2]!.correction).toBeNull();
    expect(entries[3]!.correction).toBeNull();
    const c = entries[1]!.correction;
    expect(c).toEqual(correction(METRICS, 'BR-1', FIRST, SECOND));
  });

  it('says a correction is pending while either side’s figures are not loaded', () => {
    const entries = history(METRICS, subs, 'BR-3', (id) => (id === 'BR-3' ? SECOND : undefined));

    expect(entries[1]!.correction).toBe('pending');
  });

  it('asks only for the accepted submissions’ figures it does not have', () => {
    expect(figuresToLoad(subs, () => false)).toEqual(['BR-1', 'BR-3']);
    expect(figuresToLoad(subs, (id) => id === 'BR-1')).toEqual(['BR-3']);
  });

  it('changes its key when a verdict, a file or the figures that count change', () => {
    const key = historyKey(subs, 'BR-3');

    expect(historyKey([...subs], 'BR-3')).toBe(key);
    expect(historyKey(subs, 'BR-1')).not.toBe(key);
    expect(
      historyKey([...subs.slice(0, 3), submission('BR-4', 'accepted', '2025-11-14T10:00:00Z')], 'BR-3'),
    ).not.toBe(key);
    expect(historyKey(subs.slice(0, 3), 'BR-3')).not.toBe(key);
  });
});
