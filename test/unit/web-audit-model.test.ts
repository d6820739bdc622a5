import { describe, expect, it } from 'vitest';
import { buildManifest, manifestDigest, type Provenance } from '../../shared/domain/final-export.ts';
import type { Operation } from '../../shared/domain/operation.ts';
import type { LedgerEntry, LedgerPage, LedgerQuery } from '../../web/src/api-types.ts';
import {
  countryName,
  downloadName,
  FINAL_FORMATS,
  finalSummary,
  LedgerPager,
  ledgerRows,
  parseVerdict,
  provenanceRows,
  VERDICTS,
} from '../../web/src/audit-model.ts';
import { aCountryState, anOperation } from '../support/builders.ts';

const op: Operation = anOperation();
const SHA = (c: string) => c.repeat(64);

function aProvenance(country: string, overrides: Partial<Provenance> = {}): Provenance {
  return {
    country,
    submissionId: `${country}-20251112T100000000Z-000000000000`,
    key: `incoming/${op.id}/${country}/u1/return.csv`,
    versionId: null,
    sha256: SHA('a'),
    size: 120,
    receivedAt: '2025-11-12T10:00:00.000Z',
    acceptedAt: '2025-11-12T10:00:01.000Z',
    ...overrides,
  };
}

function anEntry(id: string, overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    id,
    country: 'KE',
    key: `incoming/${op.id}/KE/${id}.csv`,
    uploadId: null,
    size: 64,
    sha256: SHA('b'),
    receivedAt: '2025-11-12T10:00:00.000Z',
    processedAt: '2025-11-12T10:00:01.000Z',
    status: 'accepted',
    errors: 0,
    warnings: 0,
    failure: null,
    supersededBy: null,
    ...overrides,
  };
}

describe('downloadName', () => {
  it('names each export {op}-{status} with its extension, as the API does', () => {
    expect(downloadName('liberterra-iii', 'final', 'json')).toBe('liberterra-iii-final.json');
    expect(downloadName('liberterra-iii', 'closed', 'csv')).toBe('liberterra-iii-closed.csv');
    expect(downloadName('liberterra-iii', 'final', 'sdmx-csv')).toBe('liberterra-iii-final.sdmx.csv');
  });

  it('keeps the name safe on any file system', () => {
    expect(downloadName('../etc/pass wd', 'final', 'csv')).toBe('etc-pass-wd-final.csv');
    expect(downloadName('///', 'final', 'json')).toBe('operation-final.json');
  });

  it('offers JSON, CSV and SDMX-CSV in that order', () => {
    expect(FINAL_FORMATS.map((f) => f.label)).toEqual(['JSON', 'CSV', 'SDMX-CSV']);
  });
});

describe('finalSummary', () => {
  it('shows the digest, the status the manifest was taken in and what it was computed with', () => {
    const states = [aCountryState(op, 'KE', { '2025-11-10': { arrests: 5 } })];
    const manifest = buildManifest(op, 'closed', states, [aProvenance('KE')], 'validator-7');
    const digest = manifestDigest(manifest);

    const summary = finalSummary({ manifestSha256: digest, manifest });

    expect(summary).toEqual({
      digest,
      status: 'closed',
      statusLabel: 'Closed',
      definitionSha256: manifest.definitionSha256,
      validatorVersion: 'validator-7',
      version: manifest.version,
      coverage: '1 of 3 countries',
    });
    expect(summary.definitionSha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('provenanceRows', () => {
  it('names each country, keeps the file’s last segment and shortens the hash', () => {
    const rows = provenanceRows(
      [
        aProvenance('KE', { key: 'incoming/test-op/KE/u-3/week 2.csv', sha256: SHA('c') }),
        aProvenance('BR'),
        aProvenance('ZZ', { sha256: null }),
      ],
      op.participants,
    );

    expect(rows.map((r) => [r.code, r.name])).toEqual([
      ['BR', 'Brazil'],
      ['KE', 'Kenya'],
      ['ZZ', 'ZZ'],
    ]);
    expect(rows[1]).toMatchObject({
      file: 'week 2.csv',
      key: 'incoming/test-op/KE/u-3/week 2.csv',
      sha256: SHA('c'),
      shortSha: 'cccccccccccc…',
    });
    expect(rows[2]).toMatchObject({ sha256: null, shortSha: '—' });
  });

  it('falls back to the code for a country not in the definition', () => {
    expect(countryName('KE', op.participants)).toBe('Kenya');
    expect(countryName('XK', op.participants)).toBe('XK');
  });
});

describe('ledgerRows', () => {
  it('says what became of every file, so no verdict rests on its colour', () => {
    const rows = ledgerRows(
      [
        anEntry('KE-1', { status: 'superseded', supersededBy: 'KE-3' }),
        anEntry('KE-2', { status: 'rejected', errors: 3 }),
        anEntry('KE-3'),
        anEntry('KE-4', { status: 'rejected', errors: 1 }),
        anEntry('KE-5', { status: 'failed', failure: 'the file could not be read' }),
        anEntry('KE-6', { status: 'processing', processedAt: null }),
        anEntry('FR-1', { country: 'FR', status: 'superseded', supersededBy: 'FR-9' }),
      ],
      op.participants,
    );

    expect(rows.map((r) => [r.id, r.statusLabel, r.counted, r.note])).toEqual([
      ['KE-1', 'Superseded', false, 'Not counted: replaced by KE-3.csv'],
      ['KE-2', 'Rejected', false, 'Not counted: 3 errors'],
      ['KE-3', 'Accepted', true, 'Counts in the figures'],
      ['KE-4', 'Rejected', false, 'Not counted: 1 error'],
      ['KE-5', 'Failed', false, 'Not counted: processing failed (the file could not be read)'],
      ['KE-6', 'Processing', false, 'Being checked'],
      ['FR-1', 'Superseded', false, 'Not counted: replaced by FR-9'],
    ]);
    expect(rows[0]).toMatchObject({ countryName: 'Kenya', file: 'KE-1.csv', shortSha: 'bbbbbbbbbbbb…' });
    expect(rows[6]?.countryName).toBe('France');
  });

  it('keeps the API’s order', () => {
    const ids = ['BR-2', 'BR-1', 'KE-1'];
    expect(
      ledgerRows(
        ids.map((id) => anEntry(id)),
        op.participants,
      ).map((r) => r.id),
    ).toEqual(ids);
  });
});

describe('parseVerdict', () => {
  it('reads a known status and treats anything else as "all"', () => {
    for (const v of VERDICTS) expect(parseVerdict(v.value)).toBe(v.value);
    expect(parseVerdict('')).toBeNull();
    expect(parseVerdict('deleted')).toBeNull();
  });
});

/** A fake ledger API: `entries` in pages of `limit` (the cursor is the next index), verdicts filtered after paging. */
function fakeLedger(entries: LedgerEntry[]) {
  const queries: LedgerQuery[] = [];
  const fetchPage = async (query: LedgerQuery): Promise<LedgerPage> => {
    queries.push(query);
    const start = Number(query.cursor ?? 0);
    const end = start + (query.limit ?? 100);
    const page = entries
      .slice(start, end)
      .filter(
        (e) =>
          (!query.country || e.country === query.country) && (!query.verdict || e.status === query.verdict),
      );
    return { operation: op.id, entries: page, cursor: end < entries.length ? String(end) : null };
  };
  return { fetchPage, queries };
}

const many = (n: number, overrides: (i: number) => Partial<LedgerEntry> = () => ({})) =>
  Array.from({ length: n }, (_, i) => anEntry(`E-${String(i).padStart(3, '0')}`, overrides(i)));

describe('LedgerPager', () => {
  it('loads a page at a time and follows the cursor until there is no more', async () => {
    const ledger = fakeLedger(many(7));
    const pager = new LedgerPager(ledger.fetchPage, 3);

    expect(pager.hasMore).toBe(true);
    expect((await pager.more())?.map((e) => e.id)).toEqual(['E-000', 'E-001', 'E-002']);
    expect(pager.hasMore).toBe(true);
    await pager.more();
    expect(await pager.more()).toHaveLength(1);
    expect(pager.entries).toHaveLength(7);
    expect(pager.hasMore).toBe(false);
    expect(await pager.more()).toEqual([]);
    expect(ledger.queries.map((q) => q.cursor)).toEqual([null, '3', '6']);
    expect(ledger.queries[0]).toEqual({ country: null, verdict: null, limit: 3, cursor: null });
  });

  it('follows the cursor on while a filtered page comes back short, within a request budget', async () => {
    // One rejected entry in every ten: a page of 5 finds at most one.
    const ledger = fakeLedger(many(60, (i) => ({ status: i % 10 === 9 ? 'rejected' : 'accepted' })));
    const pager = new LedgerPager(ledger.fetchPage, 5, 4);
    pager.reset({ country: null, verdict: 'rejected' });

    const first = await pager.more();

    expect(first?.map((e) => e.id)).toEqual(['E-009', 'E-019']);
    expect(ledger.queries).toHaveLength(4);
    expect(ledger.queries.every((q) => q.verdict === 'rejected')).toBe(true);
    expect(pager.hasMore).toBe(true);
  });

  it('stops asking once a page is full', async () => {
    const ledger = fakeLedger(many(20));
    const pager = new LedgerPager(ledger.fetchPage, 5, 4);
    await pager.more();
    expect(ledger.queries).toHaveLength(1);
  });

  it('starts over on a new filter and drops an answer that arrives after it', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((ok) => {
      release = ok;
    });
    const ledger = fakeLedger(many(4, (i) => ({ country: i < 2 ? 'KE' : 'FR' })));
    const pager = new LedgerPager(async (q) => {
      if (!q.country) await gate;
      return ledger.fetchPage(q);
    }, 10);

    const slow = pager.more();
    pager.reset({ country: 'FR', verdict: null });
    const fast = await pager.more();
    release();

    expect(await slow).toBeNull();
    expect(fast?.map((e) => e.country)).toEqual(['FR', 'FR']);
    expect(pager.entries.map((e) => e.id)).toEqual(['E-002', 'E-003']);
    expect(pager.filter).toEqual({ country: 'FR', verdict: null });
  });

  it('never lists an entry twice', async () => {
    const entry = anEntry('KE-1');
    const pager = new LedgerPager(async (q) => ({
      operation: op.id,
      entries: [entry],
      cursor: q.cursor ? null : 'next',
    }));
    await pager.more();
    expect(pager.entries).toHaveLength(1);
  });

  it('keeps what was loaded when a request fails', async () => {
    let fail = false;
    const ledger = fakeLedger(many(4));
    const pager = new LedgerPager(async (q) => {
      if (fail) throw new Error('offline');
      return ledger.fetchPage(q);
    }, 2);
    await pager.more();
    fail = true;
    await expect(pager.more()).rejects.toThrow('offline');
    expect(pager.entries).toHaveLength(2);
    fail = false;
    expect((await pager.more())?.map((e) => e.id)).toEqual(['E-002', 'E-003']);
  });
});
