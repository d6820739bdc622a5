import { describe, expect, it } from 'vitest';
import { type CountryState, rollup, rollupVersion, versionParts } from '../../shared/domain/rollup.ts';
import { aCountryState, anOperation, liberterraIII } from '../support/builders.ts';

// `anOperation()`: BR (Americas), FR (Europe) and KE (Africa); 10–12 November 2025; returns due
// 2025-11-15T23:59:59Z. `arrests` is a flow (sum), `officers_deployed` a gauge (max).

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe('rollup of no returns', () => {
  it('reports every figure as not reported (null), for every region and day', () => {
    const op = anOperation();

    const r = rollup(op, []);

    const none = {
      arrests: null,
      arrests_trafficking_smuggling: null,
      victims_safeguarded: null,
      officers_deployed: null,
    };
    expect(r.totals).toEqual(none);
    expect(r.byRegion).toEqual({ Africa: none, Americas: none, Europe: none });
    expect(r.byDay).toEqual({ '2025-11-10': none, '2025-11-11': none, '2025-11-12': none });
    expect(r.byCountry).toEqual({});
    expect(r.countries).toEqual({});
  });

  it('starts at its definition version with no revisions, never updated, with every participant missing', () => {
    const r = rollup(anOperation(), []);

    expect(r.version).toBe(1_000_000_000);
    expect(r.updatedAt).toBeNull();
    expect(r.progress).toEqual({
      expected: 3,
      reported: 0,
      percent: 0,
      onTime: 0,
      missing: ['BR', 'FR', 'KE'],
      late: [],
    });
  });

  it('describes the operation and its metric catalogue', () => {
    const op = anOperation();

    const r = rollup(op, []);

    expect(r.operation).toBe('test-op');
    expect(r.name).toBe('Operation Test');
    expect(r.window).toEqual({ start: '2025-11-10', end: '2025-11-12' });
    expect(r.reportingDeadline).toBe('2025-11-15T23:59:59Z');
    expect(r.metrics).toContainEqual({
      id: 'officers_deployed',
      label: 'Officers deployed',
      unit: 'officers',
      aggregation: 'max',
    });
    expect(r.metrics.map((m) => m.id)).toEqual(op.metrics.map((m) => m.id));
  });
});

describe('rollup of flows', () => {
  const op = anOperation();
  const states = [
    aCountryState(op, 'BR', { '2025-11-10': { arrests: 3 }, '2025-11-11': { arrests: 4 } }),
    aCountryState(op, 'FR', { '2025-11-10': { arrests: 5 } }),
  ];

  it('adds up the countries’ totals into the global total', () => {
    expect(rollup(op, states).totals.arrests).toBe(12);
  });

  it('gives each reporting country its own total', () => {
    const r = rollup(op, states);

    expect(r.byCountry.BR?.arrests).toBe(7);
    expect(r.byCountry.FR?.arrests).toBe(5);
    expect(r.byCountry).not.toHaveProperty('KE');
  });

  it('adds up each region’s countries, leaving a region without reports null', () => {
    const r = rollup(op, states);

    expect(r.byRegion.Americas?.arrests).toBe(7);
    expect(r.byRegion.Europe?.arrests).toBe(5);
    expect(r.byRegion.Africa?.arrests).toBeNull();
  });

  it('lists only the regions that have participants', () => {
    expect(Object.keys(rollup(op, states).byRegion).sort()).toEqual(['Africa', 'Americas', 'Europe']);
  });

  it('adds up each day over the countries, leaving an unreported day null', () => {
    const r = rollup(op, states);

    expect(r.byDay['2025-11-10']?.arrests).toBe(8);
    expect(r.byDay['2025-11-11']?.arrests).toBe(4);
    expect(r.byDay['2025-11-12']?.arrests).toBeNull();
  });
});

describe('rollup of gauges (max)', () => {
  const op = anOperation();
  const states = [
    aCountryState(op, 'BR', {
      '2025-11-10': { officers_deployed: 40 },
      '2025-11-11': { officers_deployed: 55 },
    }),
    aCountryState(op, 'FR', {
      '2025-11-10': { officers_deployed: 20 },
      '2025-11-11': { officers_deployed: 10 },
    }),
  ];

  it('counts a country’s peak day as its figure', () => {
    expect(rollup(op, states).byCountry.BR?.officers_deployed).toBe(55);
  });

  it('adds up the countries’ peaks into the global figure', () => {
    expect(rollup(op, states).totals.officers_deployed).toBe(75);
  });

  it('adds up a region’s country peaks', () => {
    expect(rollup(op, states).byRegion.Europe?.officers_deployed).toBe(20);
  });

  it('gives each day the sum of that day’s figures', () => {
    const r = rollup(op, states);

    expect(r.byDay['2025-11-10']?.officers_deployed).toBe(60);
    expect(r.byDay['2025-11-11']?.officers_deployed).toBe(65);
  });
});

describe('zero is not missing', () => {
  const op = anOperation();
  const states = [aCountryState(op, 'KE', { '2025-11-12': { arrests: 0 } })];

  it('counts a reported zero as 0 in every view', () => {
    const r = rollup(op, states);

    expect(r.totals.arrests).toBe(0);
    expect(r.byRegion.Africa?.arrests).toBe(0);
    expect(r.byCountry.KE?.arrests).toBe(0);
    expect(r.byDay['2025-11-12']?.arrests).toBe(0);
  });

  it('keeps metrics nobody reported null, even for a country that reported others', () => {
    const r = rollup(op, states);

    expect(r.totals.victims_safeguarded).toBeNull();
    expect(r.byCountry.KE?.victims_safeguarded).toBeNull();
    expect(r.byDay['2025-11-11']?.arrests).toBeNull();
  });

  it('counts a country that reported only zeros as reported', () => {
    expect(rollup(op, states).progress.reported).toBe(1);
  });
});

describe('reporting progress', () => {
  it('expects all 119 Liberterra III participants', () => {
    const r = rollup(liberterraIII(), []);

    expect(r.progress.expected).toBe(119);
    expect(r.progress.missing).toHaveLength(119);
  });

  it('counts the reporting countries and their percentage, to one decimal', () => {
    const op = liberterraIII();
    const states = ['BR', 'CI', 'TR'].map((c) => aCountryState(op, c, { '2025-11-10': { arrests: 1 } }));

    const r = rollup(op, states);

    expect(r.progress.reported).toBe(3);
    expect(r.progress.percent).toBe(2.5);
  });

  it('lists the countries that have not reported, sorted by code', () => {
    const op = liberterraIII();
    const states = ['TR', 'BR', 'CI'].map((c) => aCountryState(op, c, { '2025-11-10': { arrests: 1 } }));

    const { missing } = rollup(op, states).progress;

    expect(missing).toHaveLength(116);
    expect(missing).not.toContain('BR');
    expect(missing).not.toContain('TR');
    expect(missing[0]).toBe('AE');
    expect(missing).toEqual([...missing].sort());
  });

  it('reaches 100 percent when every participant has reported', () => {
    const op = anOperation();
    const states = ['BR', 'FR', 'KE'].map((c) => aCountryState(op, c, { '2025-11-10': { arrests: 1 } }));

    const { progress } = rollup(op, states);

    expect(progress).toMatchObject({ reported: 3, percent: 100, missing: [] });
  });

  it('counts a country whose first accepted return was received after the deadline as late', () => {
    const op = anOperation();
    const states = [
      aCountryState(
        op,
        'BR',
        {},
        { firstReceivedAt: '2025-11-16T00:00:00.000Z', acceptedAt: '2025-11-16T00:00:00.000Z' },
      ),
      aCountryState(op, 'FR', {}, { firstReceivedAt: '2025-11-15T12:00:00.000Z' }),
    ];

    const r = rollup(op, states);

    expect(r.progress).toMatchObject({ reported: 2, onTime: 1, late: ['BR'] });
    expect(r.countries.BR?.late).toBe(true);
    expect(r.countries.FR?.late).toBe(false);
  });

  it('keeps a country on time when only a correction came after the deadline', () => {
    const op = anOperation();
    const state = aCountryState(
      op,
      'BR',
      {},
      { firstReceivedAt: '2025-11-14T09:00:00.000Z', acceptedAt: '2025-11-20T09:00:00.000Z' },
    );

    const r = rollup(op, [state]);

    expect(r.progress).toMatchObject({ onTime: 1, late: [] });
  });

  it('counts a return received exactly at the deadline as on time', () => {
    const op = anOperation();
    const state = aCountryState(op, 'BR', {}, { firstReceivedAt: '2025-11-15T23:59:59.000Z' });

    expect(rollup(op, [state]).progress.late).toEqual([]);
  });

  it('counts a return received a fraction of a second after the deadline as late', () => {
    const op = anOperation();
    const state = aCountryState(op, 'BR', {}, { firstReceivedAt: '2025-11-15T23:59:59.500Z' });

    expect(rollup(op, [state]).progress.late).toEqual(['BR']);
  });

  it('compares times, not texts, when the deadline carries a UTC offset', () => {
    // 2025-11-16T12:00:00+13:00 is 2025-11-15T23:00:00Z.
    const op = anOperation({ reportingDeadline: '2025-11-16T12:00:00+13:00' });
    const states = [
      aCountryState(op, 'BR', {}, { firstReceivedAt: '2025-11-15T23:30:00.000Z' }),
      aCountryState(op, 'FR', {}, { firstReceivedAt: '2025-11-15T22:30:00.000Z' }),
    ];

    expect(rollup(op, states).progress.late).toEqual(['BR']);
  });

  it('judges timeliness by when S3 received the file, not when it was processed', () => {
    const op = anOperation();
    // Received before the deadline, processed after it (a retry, a DLQ redrive).
    const state = aCountryState(
      op,
      'BR',
      {},
      { firstReceivedAt: '2025-11-15T23:00:00.000Z', firstAcceptedAt: '2025-11-17T08:00:00.000Z' },
    );

    expect(rollup(op, [state]).progress).toMatchObject({ onTime: 1, late: [] });
  });
});

describe('provenance and versioning', () => {
  it('adds up the countries’ revisions into the version, after the definition version', () => {
    const op = anOperation();
    const states = [aCountryState(op, 'BR', {}, { rev: 3 }), aCountryState(op, 'KE', {}, { rev: 4 })];

    expect(rollup(op, states).version).toBe(1_000_000_007);
    expect(rollup(op, states, 2).version).toBe(2_000_000_007);
  });

  it('never lowers the version when a redefinition removes a participant', () => {
    const op = anOperation();
    const states = [aCountryState(op, 'BR', {}, { rev: 3 }), aCountryState(op, 'KE', {}, { rev: 40 })];
    const withoutKenya = anOperation({ participants: op.participants.filter((p) => p.code !== 'KE') });

    const before = rollup(op, states, 1);
    const after = rollup(withoutKenya, states, 2);

    expect(after.byCountry).not.toHaveProperty('KE');
    expect(after.version).toBeGreaterThan(before.version);
  });

  it('reads a version back as its definition version and revisions', () => {
    expect(versionParts(rollupVersion(3, [{ rev: 5 }, { rev: 7 }]))).toEqual({
      definition: 3,
      revisions: 12,
    });
  });

  it('orders any rollup of a newer definition after every rollup of an older one', () => {
    const op = anOperation();
    const many = [aCountryState(op, 'BR', {}, { rev: 5000 })];
    const few = [aCountryState(op, 'BR', {}, { rev: 1 })];

    expect(rollup(op, few, 2).version).toBeGreaterThan(rollup(op, many, 1).version);
  });

  it('was updated when the newest figures were accepted', () => {
    const op = anOperation();
    const states = [
      aCountryState(op, 'BR', {}, { acceptedAt: '2025-11-12T10:00:00.000Z' }),
      aCountryState(op, 'FR', {}, { acceptedAt: '2025-11-13T08:30:00.000Z' }),
      aCountryState(op, 'KE', {}, { acceptedAt: '2025-11-11T23:00:00.000Z' }),
    ];

    expect(rollup(op, states).updatedAt).toBe('2025-11-13T08:30:00.000Z');
  });

  it('names each reporting country’s counted submission', () => {
    const op = anOperation();
    const state = aCountryState(
      op,
      'KE',
      {},
      { submissionId: 'KE-20251112T100000000Z-abc', acceptedAt: '2025-11-12T10:00:02.000Z' },
    );

    expect(rollup(op, [state]).countries.KE).toEqual({
      name: 'Kenya',
      region: 'Africa',
      submissionId: 'KE-20251112T100000000Z-abc',
      acceptedAt: '2025-11-12T10:00:02.000Z',
      firstAcceptedAt: '2025-11-12T10:00:01.000Z',
      late: false,
    });
  });

  it('ignores the state of a country that does not take part', () => {
    const op = anOperation();
    const states = [
      aCountryState(op, 'BR', { '2025-11-10': { arrests: 2 } }),
      aCountryState(
        op,
        'DE',
        { '2025-11-10': { arrests: 100 } },
        { rev: 9, acceptedAt: '2025-11-30T00:00:00.000Z' },
      ),
    ];

    const r = rollup(op, states);

    expect(r.totals.arrests).toBe(2);
    expect(r.byDay['2025-11-10']?.arrests).toBe(2);
    expect(r.byCountry).not.toHaveProperty('DE');
    expect(r.countries).not.toHaveProperty('DE');
    expect(r.progress.reported).toBe(1);
    // Its revisions still count in the version: dropping a participant must never lower it.
    expect(r.version).toBe(1_000_000_010);
    expect(r.updatedAt).toBe('2025-11-12T10:00:01.000Z');
  });
});

describe('rollup is a pure function of its input', () => {
  const op = anOperation();
  const states = (): CountryState[] => [
    aCountryState(op, 'KE', { '2025-11-10': { arrests: 1, officers_deployed: 7 } }, { rev: 2 }),
    aCountryState(op, 'BR', { '2025-11-11': { arrests: 3 } }),
    aCountryState(
      op,
      'FR',
      { '2025-11-12': { officers_deployed: 9 } },
      { firstAcceptedAt: '2025-11-20T00:00:00.000Z' },
    ),
  ];

  it('gives the same rollup for the same input', () => {
    expect(rollup(op, states())).toEqual(rollup(op, states()));
  });

  it('gives the same rollup whatever the order of the states', () => {
    expect(rollup(op, states().reverse())).toEqual(rollup(op, states()));
  });

  it('leaves its input unchanged', () => {
    const input = states();
    const before = structuredClone(input);

    rollup(deepFreeze(anOperation()), deepFreeze(input));

    expect(input).toEqual(before);
  });
});
