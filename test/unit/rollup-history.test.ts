import { describe, expect, it } from 'vitest';
import { rollupBodyKey } from '../../shared/domain/object-keys.ts';
import { rollup, rollupVersion } from '../../shared/domain/rollup.ts';
import { historyEntryOf, rollupEtag } from '../../shared/domain/rollup-history.ts';
import { aCountryState, anOperation } from '../support/builders.ts';

describe('rollup body keys', () => {
  it('sort as their versions do, across a definition change', () => {
    const versions = [
      rollupVersion(1, [{ rev: 9 }]),
      rollupVersion(1, [{ rev: 10 }]),
      rollupVersion(1, [{ rev: 999_999_999 }]),
      rollupVersion(2, [{ rev: 1 }]),
    ];

    const keys = versions.map((v) => rollupBodyKey('op-1', v));

    expect([...keys].sort()).toEqual(keys);
  });

  it('name the operation and the version', () => {
    expect(rollupBodyKey('liberterra-iii', 1_000_000_123)).toBe(
      'rollups/liberterra-iii/0000001000000123.json.gz',
    );
  });
});

describe('the rollup ETag', () => {
  it('names the version and the status, so a status change alone is a new entity', () => {
    expect(rollupEtag(1_000_000_004, 'open')).toBe('"1000000004-open"');
    expect(rollupEtag(1_000_000_004, 'closed')).not.toBe(rollupEtag(1_000_000_004, 'open'));
  });
});

describe('a history entry', () => {
  it('keeps the version’s time, totals and progress, and where its body is', () => {
    const op = anOperation();
    const r = rollup(op, [aCountryState(op, 'KE', { '2025-11-10': { arrests: 7 } })]);
    const head = {
      version: r.version,
      key: 'rollups/x',
      eTag: '"e"',
      at: '2025-11-12T10:00:00.000Z',
      size: 900,
    };

    expect(historyEntryOf(r, head)).toEqual({
      version: r.version,
      at: '2025-11-12T10:00:00.000Z',
      key: 'rollups/x',
      totals: r.totals,
      reported: 1,
      expected: 3,
    });
  });

  it('keeps zero apart from not reported', () => {
    const op = anOperation();
    const r = rollup(op, [aCountryState(op, 'KE', { '2025-11-10': { arrests: 0 } })]);

    const entry = historyEntryOf(r, { version: r.version, key: 'k', eTag: null, at: 'now', size: 1 });

    expect(entry.totals.arrests).toBe(0);
    expect(entry.totals.victims_safeguarded).toBeNull();
  });
});
