import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Operation } from '../../shared/domain/operation.ts';
import { type CountryState, type RollupView, rollup } from '../../shared/domain/rollup.ts';
import { GEOMETRY_MODULE, generateGeometry } from '../../web/map-geometry.ts';
import * as generated from '../../web/src/generated/world-geometry.ts';
import {
  type MapGeometry,
  MIN_SHAPE_AREA,
  nearestInDirection,
  pathCentre,
  placeMarks,
  readGeometry,
} from '../../web/src/map-layout.ts';
import {
  classBreaks,
  type LegendEntry,
  mapColouring,
  mapStatus,
  niceFloor,
  rampSteps,
  tooltipContent,
  valueClass,
} from '../../web/src/map-model.ts';
import { type CountryRow, countryRows } from '../../web/src/view-model.ts';
import { aCountryState, anOperation, liberterraIII } from '../support/builders.ts';

const op: Operation = anOperation();
const GEOMETRY: MapGeometry = readGeometry(generated);
const MAP_SIZE = GEOMETRY.size;

function aView(states: CountryState[]): RollupView {
  return { ...rollup(op, states), status: 'open' };
}

/** A state received after the test operation's deadline (15 November 2025). */
const late = { firstReceivedAt: '2025-11-20T10:00:00.000Z' };

function aRow(code: string, figures: Record<string, number | null>, overrides: Partial<CountryRow> = {}) {
  return {
    code,
    name: code,
    region: 'Europe',
    status: 'on-time',
    acceptedAt: '2025-11-12T10:00:01.000Z',
    figures,
    ...overrides,
  } satisfies CountryRow;
}

/** Rows with one metric, `arrests`, at these values (null = the country did not report it). */
const arrests = (values: (number | null)[]): CountryRow[] =>
  values.map((v, i) => aRow(`C${i}`, { arrests: v }));

describe('mapStatus', () => {
  const statusOf = (states: CountryState[], code: string) =>
    mapStatus(countryRows(aView(states), op.participants).find((r) => r.code === code)!);

  it('calls a country without an accepted return "not reported"', () => {
    expect(statusOf([], 'KE')).toBe('missing');
  });

  it('calls a country whose every reported figure is 0 "reported 0", whatever it left out', () => {
    const france = aCountryState(op, 'FR', { '2025-11-10': { arrests: 0, victims_safeguarded: 0 } });

    expect(statusOf([france], 'FR')).toBe('zero');
  });

  it('keeps "reported 0" before timeliness: zeros received late are still "reported 0"', () => {
    const france = aCountryState(op, 'FR', { '2025-11-10': { arrests: 0 } }, late);

    expect(statusOf([france], 'FR')).toBe('zero');
  });

  it('does not call a country "reported 0" when one of its figures is not 0', () => {
    const brazil = aCountryState(op, 'BR', { '2025-11-10': { arrests: 0, officers_deployed: 40 } });

    expect(statusOf([brazil], 'BR')).toBe('on-time');
  });

  it('tells a late return from one on time by the rollup’s `late`', () => {
    const brazil = aCountryState(op, 'BR', { '2025-11-10': { arrests: 3 } }, late);
    const kenya = aCountryState(op, 'KE', { '2025-11-10': { arrests: 1 } });

    expect(statusOf([brazil, kenya], 'BR')).toBe('late');
    expect(statusOf([brazil, kenya], 'KE')).toBe('on-time');
  });

  it('does not call an accepted return without any figure "reported 0"', () => {
    expect(mapStatus(aRow('FR', { arrests: null }))).toBe('on-time');
  });
});

describe('niceFloor', () => {
  it.each([
    [1234, 1200],
    [57, 57],
    [199, 190],
    [100, 100],
    [5, 5],
    [0.456, 0.45],
  ])('rounds %s down to two significant digits: %s', (value, expected) => {
    expect(niceFloor(value)).toBe(expected);
  });
});

describe('classBreaks', () => {
  it('has no class when nobody reported a figure other than 0', () => {
    expect(classBreaks([null, 0, 0, null])).toEqual([]);
  });

  it('makes one class per distinct value when there are few', () => {
    expect(classBreaks([10, 3, 3, null, 0, 99_001, 99_000])).toEqual([3, 10, 99_000, 99_001]);
  });

  it('keeps bounds apart that rounding would merge', () => {
    expect(classBreaks([1, 2, 3, 4, 99_000, 99_001, 99_002])).toEqual([1, 2, 3, 99_000, 99_001]);
  });

  it('splits skewed counts into quantile classes with readable bounds', () => {
    const counts = [1, 2, 2, 3, 5, 8, 12, 20, 35, 60, 140, 1234, 4321, null, 0];
    const large = [110, 240, 370, 1234, 2345, 3456, 4567, 5678, 6789, 12_345];

    expect(classBreaks(counts)).toEqual([1, 2, 8, 20, 140]);
    expect(classBreaks(large)).toEqual([110, 370, 2300, 4500, 6700]);
  });

  it('starts at the smallest value and always gives increasing bounds, each class holding a value', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(null), fc.constant(0), fc.integer({ min: 1, max: 100_000 })), {
          maxLength: 150,
        }),
        (values) => {
          const breaks = classBreaks(values);
          const positive = values.filter((v): v is number => v !== null && v !== 0);
          const distinct = new Set(positive).size;
          if (distinct <= 5) expect(breaks).toEqual([...new Set(positive)].sort((x, y) => x - y));
          else expect(breaks.length).toBeLessThanOrEqual(5);
          if (positive.length > 0) expect(breaks[0]).toBe(Math.min(...positive));
          for (let i = 1; i < breaks.length; i++) expect(breaks[i]!).toBeGreaterThan(breaks[i - 1]!);
          const used = new Set(positive.map((v) => valueClass(v, breaks)));
          expect(used.size).toBe(breaks.length);
        },
      ),
    );
  });
});

describe('valueClass', () => {
  const breaks = [1, 10, 100];

  it('keeps "not reported" and 0 out of the value classes', () => {
    expect(valueClass(null, breaks)).toBe('missing');
    expect(valueClass(0, breaks)).toBe('zero');
  });

  it('puts a value on a bound in the class that starts there', () => {
    expect([1, 9, 10, 99, 100, 5000].map((v) => valueClass(v, breaks))).toEqual([0, 0, 1, 1, 2, 2]);
  });
});

describe('rampSteps', () => {
  it('spreads the classes over the whole ramp', () => {
    expect([1, 2, 3, 5].map(rampSteps)).toEqual([[2], [0, 4], [0, 2, 4], [0, 1, 2, 3, 4]]);
  });
});

describe('mapColouring', () => {
  it('colours by status with a legend that counts every participant once', () => {
    const rows = [
      aRow('BR', { arrests: 4 }),
      aRow('FR', { arrests: 0 }),
      aRow('KE', { arrests: null }, { status: 'missing', acceptedAt: null }),
      aRow('AR', { arrests: 2 }, { status: 'late' }),
    ];

    const { fills, legend } = mapColouring(rows, { kind: 'status' });

    expect(Object.fromEntries(fills)).toEqual({ BR: 'on-time', FR: 'zero', KE: 'missing', AR: 'late' });
    expect(legend.map((e) => [e.fill, e.count])).toEqual([
      ['on-time', 1],
      ['late', 1],
      ['zero', 1],
      ['missing', 1],
    ]);
  });

  it('colours by a metric: "not reported" and 0 apart, then classes of whole numbers', () => {
    const rows = arrests([null, 0, 1, 2, 5, 9, 30, 88, null]);

    const { fills, legend } = mapColouring(rows, { kind: 'metric', metric: 'arrests' });

    expect(fills.get('C0')).toBe('missing');
    expect(fills.get('C1')).toBe('zero');
    expect(fills.get('C7')).toBe('step-4');
    const ranges = legend.filter((e): e is Extract<LegendEntry, { kind: 'range' }> => e.kind === 'range');
    expect(legend.slice(0, 2).map((e) => [e.kind, e.count])).toEqual([
      ['missing', 2],
      ['zero', 1],
    ]);
    expect(ranges.map((r) => [r.from, r.to, r.upperIncluded, r.count])).toEqual([
      [1, 1, true, 1],
      [2, 4, true, 1],
      [5, 8, true, 1],
      [9, 29, true, 1],
      [30, 88, true, 2],
    ]);
  });

  it('writes classes of decimal figures as "from … to under …"', () => {
    const { legend } = mapColouring(arrests([0.5, 2.5]), { kind: 'metric', metric: 'arrests' });

    expect(legend.filter((e) => e.kind === 'range')).toEqual([
      { kind: 'range', from: 0.5, to: 2.5, upperIncluded: false, fill: 'step-0', count: 1 },
      { kind: 'range', from: 2.5, to: 2.5, upperIncluded: true, fill: 'step-4', count: 1 },
    ]);
  });

  it('colours every country "not reported" for a metric nobody reported', () => {
    const { fills, legend } = mapColouring(arrests([1, 2]), { kind: 'metric', metric: 'unknown' });

    expect([...fills.values()]).toEqual(['missing', 'missing']);
    expect(legend.map((e) => [e.kind, e.count])).toEqual([
      ['missing', 2],
      ['zero', 0],
    ]);
  });
});

describe('tooltipContent', () => {
  const metrics = rollup(op, []).metrics;

  it('lists every figure, the mapped metric first, with "not reported" as null', () => {
    const row = aRow('BR', { arrests: 4, victims_safeguarded: 0, officers_deployed: null });

    const content = tooltipContent(row, metrics, { kind: 'metric', metric: 'victims_safeguarded' }, 'Brésil');

    expect(content).toMatchObject({ code: 'BR', name: 'Brésil', status: 'on-time', late: false });
    expect(content.figures.map((f) => [f.metric, f.value, f.mapped])).toEqual([
      ['victims_safeguarded', 0, true],
      ['arrests', 4, false],
      ['arrests_trafficking_smuggling', null, false],
      ['officers_deployed', null, false],
    ]);
  });

  it('says a late "reported 0" is late, and has no figures for a country that has not reported', () => {
    const zeros = tooltipContent(aRow('FR', { arrests: 0 }, { status: 'late' }), metrics, { kind: 'status' });
    const missing = tooltipContent(
      aRow('KE', { arrests: null }, { status: 'missing', acceptedAt: null }),
      metrics,
      { kind: 'status' },
    );

    expect([zeros.status, zeros.late]).toEqual(['zero', true]);
    expect(missing).toMatchObject({ status: 'missing', acceptedAt: null, figures: [] });
  });
});

describe('placeMarks', () => {
  const participants = liberterraIII().participants.map((p) => p.code);

  it('places each of Liberterra III’s 119 participants once, as a shape or a dot', () => {
    const marks = placeMarks(participants, GEOMETRY);

    expect(marks.map((m) => m.code)).toEqual(participants);
    expect(marks.length).toBe(119);
    for (const m of marks) {
      expect(m.x, m.code).toBeGreaterThanOrEqual(0);
      expect(m.x, m.code).toBeLessThanOrEqual(MAP_SIZE.width);
      expect(m.y, m.code).toBeGreaterThanOrEqual(0);
      expect(m.y, m.code).toBeLessThanOrEqual(MAP_SIZE.height);
    }
  });

  it('shows as dots the states Natural Earth 1:110m lacks or draws too small to see', () => {
    const kind = Object.fromEntries(placeMarks(participants, GEOMETRY).map((m) => [m.code, m.kind]));

    for (const code of ['BB', 'BS', 'CV', 'CW', 'LU', 'MU', 'MV', 'ST', 'TC', 'TT'])
      expect(kind[code], code).toBe('dot');
    for (const code of ['BR', 'FR', 'IN', 'KE', 'CA']) expect(kind[code], code).toBe('shape');
    for (const m of placeMarks(participants, GEOMETRY))
      if (m.kind === 'shape') expect(GEOMETRY.areas[m.code]).toBeGreaterThanOrEqual(MIN_SHAPE_AREA);
  });

  it('still puts a code the geometry does not know on the map, as a dot along the bottom', () => {
    const [unknown] = placeMarks(['ZZ'], GEOMETRY);

    expect(unknown).toEqual({ code: 'ZZ', kind: 'dot', d: null, x: 16, y: MAP_SIZE.height - 12 });
  });
});

describe('map geometry', () => {
  it('is what web/map-geometry.ts generates from the installed world-atlas and world-countries', async () => {
    expect(await readFile(GEOMETRY_MODULE, 'utf8')).toBe(await generateGeometry());
  });
});

describe('readGeometry', () => {
  it('reads the generated tables of areas and dots', () => {
    const read = readGeometry({
      MAP_SIZE: { width: 1000, height: 440 },
      SHAPES: { LU: 'M1 2l1 0 0 1z' },
      AREAS: 'LU:2.1 FR:120',
      POINTS: 'LU:512.5,80.25 MV:700,300',
    });

    expect(read.areas).toEqual({ LU: 2.1, FR: 120 });
    expect(read.points).toEqual({ LU: [512.5, 80.25], MV: [700, 300] });
  });

  it('knows a place and an area for every country it has a shape for', () => {
    for (const code of Object.keys(GEOMETRY.shapes)) {
      expect(GEOMETRY.points[code], code).toBeDefined();
      expect(GEOMETRY.areas[code], code).toBeGreaterThan(0);
    }
  });
});

describe('pathCentre', () => {
  it('is the middle of the bounding box of relative path data', () => {
    expect(pathCentre('M10 20l10 0 0 10-10 0zM40 20l2 2 2-2z')).toEqual([27, 25]);
    expect(pathCentre(null)).toBeNull();
  });
});

describe('nearestInDirection', () => {
  const marks = [
    { code: 'A', x: 100, y: 100 },
    { code: 'B', x: 130, y: 102 },
    { code: 'C', x: 120, y: 160 },
    { code: 'D', x: 60, y: 100 },
  ];

  it('moves to the nearest mark that way, following rows rather than diagonals', () => {
    expect(nearestInDirection(marks, 'A', 'right')).toBe('B');
    expect(nearestInDirection(marks, 'A', 'down')).toBe('C');
    expect(nearestInDirection(marks, 'A', 'left')).toBe('D');
  });

  it('stays put when nothing lies that way', () => {
    expect(nearestInDirection(marks, 'A', 'up')).toBeNull();
    expect(nearestInDirection(marks, 'Z', 'up')).toBeNull();
  });
});
