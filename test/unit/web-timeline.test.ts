import { describe, expect, it } from 'vitest';
import {
  formatMoment,
  fromLocalInput,
  indexAt,
  mergeVersions,
  parseAsOf,
  type TimelineEntry,
  timelineSeries,
  toLocalInput,
} from '../../web/src/timeline-model.ts';

/** A timeline entry: version, time, arrests total and countries reported. */
function anEntry(version: number, at: string, arrests: number | null, reported: number): TimelineEntry {
  return { version, at, totals: { arrests, seizures: null }, reported, expected: 119 };
}

const first = anEntry(1_000_000_001, '2025-11-14T09:00:00.000Z', 12, 1);
const second = anEntry(1_000_000_002, '2025-11-14T09:00:05.000Z', 20, 2);
const third = anEntry(1_000_000_004, '2025-11-14T10:30:00.000Z', 0, 3);

describe('mergeVersions', () => {
  it('orders the versions of several pages by version', () => {
    expect(mergeVersions([third], [first, second]).map((e) => e.version)).toEqual([
      first.version,
      second.version,
      third.version,
    ]);
  });

  it('keeps one entry per version when a page is read again', () => {
    const again = { ...second, reported: 99 };
    const merged = mergeVersions([first, second], [again, third]);
    expect(merged).toEqual([first, second, third]);
  });
});

describe('timelineSeries', () => {
  it('gives one point per version at its time, a reported zero as 0 and an unreported metric as null', () => {
    const series = timelineSeries([first, third], 'arrests');
    expect(series.total).toEqual([
      { x: Date.parse(first.at), y: 12 },
      { x: Date.parse(third.at), y: 0 },
    ]);
    expect(timelineSeries([first], 'seizures').total).toEqual([{ x: Date.parse(first.at), y: null }]);
    expect(series.reported.map((p) => p.y)).toEqual([1, 3]);
  });
});

describe('indexAt', () => {
  const entries = [first, second, third];

  it('finds the version current at a moment between two versions', () => {
    expect(indexAt(entries, '2025-11-14T09:00:04.999Z')).toBe(0);
    expect(indexAt(entries, '2025-11-14T10:00:00Z')).toBe(1);
  });

  it('counts a version as current from the very moment it was made', () => {
    expect(indexAt(entries, second.at)).toBe(1);
  });

  it('finds none before the first version, and the latest after the last', () => {
    expect(indexAt(entries, '2025-11-14T08:59:59.999Z')).toBe(-1);
    expect(indexAt(entries, '2026-01-01T00:00:00Z')).toBe(2);
  });
});

describe('parseAsOf', () => {
  it('reads an ISO time from the address, in any offset, as UTC', () => {
    expect(parseAsOf('2025-11-14T11:30:00+02:00')).toBe('2025-11-14T09:30:00.000Z');
  });

  it('ignores an absent or unreadable value', () => {
    expect(parseAsOf(null)).toBeNull();
    expect(parseAsOf('')).toBeNull();
    expect(parseAsOf('yesterday-ish')).toBeNull();
  });
});

describe('the moment input (run in a non-UTC zone)', () => {
  it('shows a time in the browser’s zone to the second and reads it back to the same moment', () => {
    const at = '2025-11-14T09:00:05.000Z';
    // Pacific/Chatham is UTC+13:45 in November.
    expect(toLocalInput(at)).toBe('2025-11-14T22:45:05');
    expect(fromLocalInput(toLocalInput(at))).toBe(at);
  });

  it('reads a time without seconds as the end of that minute', () => {
    expect(fromLocalInput('2025-11-14T22:45')).toBe('2025-11-14T09:00:59.999Z');
  });

  it('answers null for an empty or partial value', () => {
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('2025-11-14')).toBeNull();
  });
});

describe('formatMoment', () => {
  it('names the second and the zone, so versions seconds apart read differently', () => {
    const text = formatMoment('2025-11-14T09:00:05.000Z', { locale: 'en-GB', timeZone: 'UTC' });
    expect(text).toContain('09:00:05');
    expect(text).toContain('UTC');
    expect(formatMoment(first.at, { locale: 'en-GB', timeZone: 'UTC' })).not.toBe(text);
  });
});
