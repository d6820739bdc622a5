import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { maxCountryFigure, regionOf, windowDates } from '../../shared/domain/operation.ts';
import { parseOperation } from '../../shared/domain/operation-schema.ts';
import {
  anOperation,
  anOperationDefinition,
  LIBERTERRA_III_FILE,
  liberterraIII,
} from '../support/builders.ts';

function errorsOf(input: unknown): string[] {
  const parsed = parseOperation(input);
  if (parsed.ok) throw new Error('expected the definition to be rejected');
  return parsed.error;
}

describe('parseOperation', () => {
  it('accepts the shipped Liberterra III definition', () => {
    const file = JSON.parse(readFileSync(LIBERTERRA_III_FILE, 'utf8'));

    const parsed = parseOperation(file);

    expect(parsed.ok).toBe(true);
  });

  it('reads the Liberterra III window, deadline, participants, metrics and rules', () => {
    const op = liberterraIII();

    expect(op.id).toBe('liberterra-iii');
    expect(op.window).toEqual({ start: '2025-11-10', end: '2025-11-21' });
    expect(op.reportingDeadline).toBe('2025-11-25T23:59:59Z');
    expect(op.participants).toHaveLength(119);
    expect(op.metrics.map((m) => m.id)).toEqual([
      'arrests',
      'arrests_trafficking_smuggling',
      'victims_safeguarded',
      'irregular_migrants_detected',
      'investigations_opened',
      'officers_deployed',
    ]);
    expect(op.metrics.find((m) => m.id === 'officers_deployed')?.aggregation).toBe('max');
    expect(op.rules.map((r) => r.id)).toEqual([
      'trafficking-arrests-within-arrests',
      'exploitation-within-victims',
    ]);
  });

  it('fills in the defaults a definition may leave out', () => {
    const input = anOperationDefinition({
      metrics: [{ id: 'arrests', label: 'Arrests', aggregation: 'sum' }],
      rules: undefined,
      limits: undefined,
    });

    const parsed = parseOperation(input);

    expect(parsed.ok && parsed.value.metrics[0]).toEqual({
      id: 'arrests',
      label: 'Arrests',
      unit: 'count',
      aggregation: 'sum',
      breakdowns: [],
    });
    expect(parsed.ok && parsed.value.rules).toEqual([]);
    expect(parsed.ok && parsed.value.limits).toEqual({
      maxFileBytes: 25 * 1024 * 1024,
      maxRows: 200_000,
      maxCellChars: 256,
      maxProblemsListed: 1000,
    });
  });

  it('rejects a participant code that is not ISO 3166-1 alpha-2, naming its path', () => {
    const input = anOperationDefinition({
      participants: [
        { code: 'BR', name: 'Brazil', region: 'Americas' },
        { code: 'FRA', name: 'France', region: 'Europe' },
      ],
    });

    expect(errorsOf(input)).toEqual(['participants.1.code: must be an ISO 3166-1 alpha-2 code such as "BR"']);
  });

  it('rejects a participant listed twice', () => {
    const input = anOperationDefinition({
      participants: [
        { code: 'BR', name: 'Brazil', region: 'Americas' },
        { code: 'FR', name: 'France', region: 'Europe' },
        { code: 'BR', name: 'Brasil', region: 'Americas' },
      ],
    });

    expect(errorsOf(input)).toEqual(['participants: participant BR is listed twice']);
  });

  it('rejects a metric defined twice', () => {
    const input = anOperationDefinition({
      metrics: [
        { id: 'arrests', label: 'Arrests', aggregation: 'sum' },
        { id: 'arrests', label: 'Arrests again', aggregation: 'sum' },
      ],
      rules: [],
    });

    expect(errorsOf(input)).toEqual(['metrics: metric arrests is defined twice']);
  });

  it('rejects a rule naming a metric the catalogue does not define', () => {
    const input = anOperationDefinition({
      rules: [
        {
          kind: 'lte',
          id: 'within-arrests',
          metric: 'arrests_trafficking_smuggling',
          bound: 'arrests_total',
        },
      ],
    });

    expect(errorsOf(input)).toEqual([
      'rules.0: rule within-arrests names metric "arrests_total", which the catalogue does not define',
    ]);
  });

  it('rejects a breakdown rule naming a dimension its metric does not have', () => {
    const input = anOperationDefinition({
      rules: [
        { kind: 'breakdown-sum-lte-total', id: 'by-age', metric: 'victims_safeguarded', dimension: 'age' },
      ],
    });

    expect(errorsOf(input)).toEqual([
      'rules.0: rule by-age names dimension "age", which metric victims_safeguarded does not have',
    ]);
  });

  it('rejects a window that ends before it starts', () => {
    const input = anOperationDefinition({ window: { start: '2025-11-21', end: '2025-11-10' } });

    expect(errorsOf(input)).toEqual(['window: window.start must not be after window.end']);
  });

  it('lists every schema problem at once, each with its path', () => {
    const input = anOperationDefinition({
      id: 'Liberterra III',
      window: { start: '10/11/2025', end: '2025-11-21' },
      participants: [{ code: 'BR', name: 'Brazil', region: 'South America' }],
    });

    const errors = errorsOf(input);

    expect(errors).toHaveLength(3);
    expect(errors[0]).toBe('id: must be lower-case letters, digits and hyphens');
    expect(errors[1]).toBe('window.start: must be a date written YYYY-MM-DD');
    expect(errors[2]).toMatch(/^participants\.0\.region: /);
  });

  it('rejects a reporting deadline without a time zone', () => {
    const input = anOperationDefinition({ reportingDeadline: '2025-11-25T23:59:59' });

    expect(errorsOf(input)).toEqual([expect.stringMatching(/^reportingDeadline: /)]);
  });

  it('names the root when the definition is not an object', () => {
    expect(errorsOf('liberterra-iii')).toEqual([expect.stringMatching(/^\(root\): /)]);
  });
});

describe('windowDates', () => {
  it('lists the twelve days of Liberterra III in order', () => {
    const dates = windowDates(liberterraIII());

    expect(dates).toHaveLength(12);
    expect(dates[0]).toBe('2025-11-10');
    expect(dates.at(-1)).toBe('2025-11-21');
    expect([...dates].sort()).toEqual(dates);
  });

  it('gives a one-day window its single date', () => {
    expect(windowDates({ window: { start: '2025-11-10', end: '2025-11-10' } })).toEqual(['2025-11-10']);
  });

  it('crosses month and year ends and counts a leap day', () => {
    expect(windowDates({ window: { start: '2027-12-30', end: '2028-01-02' } })).toEqual([
      '2027-12-30',
      '2027-12-31',
      '2028-01-01',
      '2028-01-02',
    ]);
    expect(windowDates({ window: { start: '2028-02-28', end: '2028-03-01' } })).toEqual([
      '2028-02-28',
      '2028-02-29',
      '2028-03-01',
    ]);
  });

  it('neither skips nor repeats a date when daylight saving time changes where the tests run', () => {
    // Chatham Islands time leaves DST on 5 April 2026 and enters it on 27 September 2026.
    expect(windowDates({ window: { start: '2026-04-04', end: '2026-04-06' } })).toEqual([
      '2026-04-04',
      '2026-04-05',
      '2026-04-06',
    ]);
    expect(windowDates({ window: { start: '2026-09-26', end: '2026-09-28' } })).toEqual([
      '2026-09-26',
      '2026-09-27',
      '2026-09-28',
    ]);
  });

  it('is empty for a reversed window (which parseOperation rejects)', () => {
    expect(windowDates({ window: { start: '2025-11-12', end: '2025-11-10' } })).toEqual([]);
  });
});

describe('regionOf', () => {
  it('gives the UN M49 region of a participant', () => {
    expect(regionOf(anOperation(), 'KE')).toBe('Africa');
  });

  it('is undefined for a country that does not take part', () => {
    expect(regionOf(anOperation(), 'DE')).toBeUndefined();
  });
});

describe('maxCountryFigure', () => {
  it('is 75,690,750,039,840 for Liberterra III’s 119 participants', () => {
    expect(maxCountryFigure(liberterraIII())).toBe(75_690_750_039_840);
  });

  it('lets every participant report it and the sum stay an exact integer', () => {
    for (let n = 1; n <= 300; n++) {
      const participants = Array.from({ length: n }, () => ({
        code: 'XX',
        name: 'X',
        region: 'Asia' as const,
      }));
      const max = maxCountryFigure({ participants });

      expect(max * n).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
      expect((max + 1) * n).toBeGreaterThan(Number.MAX_SAFE_INTEGER);
    }
  });
});
