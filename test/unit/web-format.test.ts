import { describe, expect, it } from 'vitest';
import {
  fileName,
  formatAgo,
  formatBytes,
  formatChange,
  formatCount,
  formatDateTime,
  formatDay,
  formatFigure,
  formatPercent,
  formatStatus,
  shortHash,
} from '../../web/src/format.ts';

describe('formatFigure', () => {
  it('shows a reported zero as 0', () => {
    expect(formatFigure(0, 'en')).toEqual({ text: '0', state: 'zero', label: '0' });
  });

  it('shows “not reported” as a dash with words for screen readers', () => {
    expect(formatFigure(null, 'en')).toEqual({ text: '—', state: 'missing', label: 'not reported' });
  });

  it('groups thousands', () => {
    expect(formatFigure(12345, 'en')).toEqual({ text: '12,345', state: 'value', label: '12,345' });
  });
});

describe('formatCount, formatChange and formatPercent', () => {
  it('never shows null as 0', () => {
    expect(formatCount(null, 'en')).toBe('—');
  });

  it('signs changes with a true minus sign', () => {
    expect(formatChange(1200, 'delta', 'en')).toBe('+1,200');
    expect(formatChange(-3, 'delta', 'en')).toBe('−3');
  });

  it('writes no change as ±0, and a day that added zero as +0', () => {
    expect(formatChange(0)).toBe('±0');
    expect(formatChange(0, 'added')).toBe('+0');
  });

  it('rounds percentages to one decimal', () => {
    expect(formatPercent(42.46, 'en')).toBe('42.5%');
    expect(formatPercent(100, 'en')).toBe('100%');
  });
});

describe('dates and times', () => {
  // The unit project runs under TZ=Pacific/Chatham (UTC+13:45 in November): a calendar date
  // parsed as local midnight would show as the day before in UTC, or the day after here.
  it('shows an operation day as that calendar day in any time zone', () => {
    expect(formatDay('2025-11-10', 'en-GB')).toBe('10 Nov');
    expect(formatDay('2025-11-21', 'en-GB')).toBe('21 Nov');
  });

  it('shows an instant in the zone asked for, without the year when it is the current one', () => {
    const now = Date.parse('2025-11-20T00:00:00Z');
    const options = { locale: 'en-GB', timeZone: 'Pacific/Chatham', now };

    expect(formatDateTime('2025-11-12T10:00:00Z', options)).toBe('12 Nov, 23:45:00');
    expect(formatDateTime('2025-11-12T10:00:00Z', { ...options, timeZone: 'UTC' })).toBe('12 Nov, 10:00:00');
  });

  it('adds the year when the instant is in another year than now', () => {
    const now = Date.parse('2026-11-26T00:00:00Z');

    expect(formatDateTime('2025-11-25T23:59:59Z', { locale: 'en-GB', timeZone: 'UTC', now })).toBe(
      '25 Nov 2025, 23:59:59',
    );
  });

  it('shows a missing time as a dash and an unreadable one as given', () => {
    expect(formatDateTime(null)).toBe('—');
    expect(formatDateTime('soon')).toBe('soon');
  });

  it('says how long ago in words', () => {
    const now = Date.parse('2025-11-12T12:00:00Z');
    expect(formatAgo('2025-11-12T11:59:58Z', now)).toBe('just now');
    expect(formatAgo('2025-11-12T11:59:18Z', now)).toBe('42 s ago');
    expect(formatAgo('2025-11-12T11:55:00Z', now)).toBe('5 min ago');
    expect(formatAgo('2025-11-12T09:00:00Z', now)).toBe('3 h ago');
    expect(formatAgo('2025-11-09T12:00:00Z', now)).toBe('3 d ago');
    expect(formatAgo(null, now)).toBe('never');
  });
});

describe('formatBytes and formatStatus', () => {
  it('sizes files in B, KB and MB', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2048)).toBe('2.0 KB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB');
    expect(formatBytes(null)).toBe('—');
  });

  it('writes the size’s number as the page’s language does, the units unchanged', () => {
    expect(formatBytes(2560, 'fr-FR')).toBe('2,5 KB');
    expect(formatBytes(5 * 1024 * 1024 + 104858, 'es-ES')).toBe('5,1 MB');
    expect(formatBytes(2560, 'ar-u-nu-latn')).toMatch(/^2[.,٫]5 KB$/);
    expect(formatBytes(2560, 'en-GB')).toBe('2.5 KB');
    expect(formatBytes(512, 'fr-FR')).toBe('512 B');
    expect(formatBytes(2560)).toBe('2.5 KB');
  });

  it('capitalises a status', () => {
    expect(formatStatus('final')).toBe('Final');
  });
});

describe('fileName and shortHash', () => {
  it('takes the last segment of an upload key', () => {
    expect(fileName('incoming/liberterra-iii/KE/u-12/week 1.csv')).toBe('week 1.csv');
    expect(fileName('return.csv')).toBe('return.csv');
    expect(fileName('incoming/op/KE/')).toBe('incoming/op/KE/');
  });

  it('shortens a digest to 12 characters and an ellipsis, and keeps a short one whole', () => {
    const sha = '3f2a9c0d1b7e44aa0f8c6d2e1b0a99887766554433221100ffeeddccbbaa9988';
    expect(shortHash(sha)).toBe('3f2a9c0d1b7e…');
    expect(shortHash(sha, 8)).toBe('3f2a9c0d…');
    expect(shortHash('abc')).toBe('abc');
    expect(shortHash(null)).toBe('—');
    expect(shortHash('')).toBe('—');
  });
});
