import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedRollup } from '../../shared/app/read-rollup.ts';
import type { Submission } from '../../shared/domain/ledger.ts';
import { formatOf, readReturn } from '../../shared/domain/read-return.ts';
import type { MetricValues } from '../../shared/domain/rollup.ts';
import type { StoredReport } from '../../shared/domain/stored-report.ts';
import { liberterraIII } from '../support/builders.ts';
import { freshStack, readAll } from '../support/local-servers.ts';
import {
  generatedHostileCases,
  HOSTILE_DIR,
  type HostileEntry,
  hostileFixtures,
} from '../support/make-hostile.ts';

// The hostile-input catalogue (test/fixtures/hostile/, written by test/support/make-hostile.ts, plus
// the Excel catalogue's xlsx-manifest.json when present, plus the cases that need size, built here)
// goes through the whole local pipeline: a real S3 put, the queue, the ingest handler, DynamoDB.
// Every file must end with the verdict and first error its manifest names, be kept byte for byte,
// leave the rollup alone when rejected, and crash nothing: no dead letter, /health still answers.

const OP = 'liberterra-iii';
const OPERATION = liberterraIII();

type Source = 'manifest' | 'xlsx-manifest' | 'generated' | 'key';
type Case = HostileEntry & { source: Source; key: string; bytes: () => Buffer };

const onDisk = (manifest: string, source: Source): Case[] => {
  const path = join(HOSTILE_DIR, manifest);
  if (!existsSync(path)) return [];
  return (JSON.parse(readFileSync(path, 'utf8')) as HostileEntry[]).map((entry) => ({
    ...entry,
    source,
    key: `incoming/${OP}/${entry.country}/${entry.file}`,
    bytes: () => readFileSync(join(HOSTILE_DIR, entry.file)),
  }));
};
const generated: Case[] = generatedHostileCases().map((c) => ({
  ...c,
  source: 'generated',
  key: `incoming/${OP}/${c.country}/${c.file}`,
}));
const CONTENT: Case[] = [
  ...onDisk('manifest.json', 'manifest'),
  ...onDisk('xlsx-manifest.json', 'xlsx-manifest'),
  ...generated,
];

/**
 * Hostile keys (the S3 key, not the content): a valid return put where an agency's upload would
 * never land. `ignored`: the key is not a return key (`incoming/{op}/{country}/{name}` with no `.`
 * or `..` segment, an operation that exists): no submission, nothing counted. `unknown-country`:
 * a return key whose country segment is not a participant's code: a rejected submission is
 * recorded (the ledger shows the attempt). `accepted`: the key's own country segment is a
 * participant, and that country — never another — is credited.
 */
type KeyTrick = {
  name: string;
  key: string;
  outcome: 'refused' | 'ignored' | 'unknown-country' | 'accepted';
  /** The country credited (accepted) or recorded (unknown-country): the key's own segment. */
  country?: string;
  why: string;
};
const LONG_NAME = Array.from({ length: 5 }, (_, i) => String.fromCharCode(97 + i).repeat(190)).join('/');
const KEY_TRICKS: KeyTrick[] = [
  {
    name: 'dot-dot segment',
    key: `incoming/${OP}/BR/../FR/x.csv`,
    outcome: 'refused',
    why: 'The local S3 API refuses "." and ".." segments (its file store would resolve them: FR/x.csv overwritten); the ingest would ignore the key anyway.',
  },
  {
    name: 'dot segment',
    key: `incoming/${OP}/GB/./x.csv`,
    outcome: 'refused',
    why: 'A "." segment is refused by the local S3 API, and is never a return key.',
  },
  {
    name: 'folder marker',
    key: `incoming/${OP}/BR/`,
    outcome: 'ignored',
    why: 'A key ending in "/" (a console "folder") has no file name.',
  },
  {
    name: 'upper-case operation',
    key: 'incoming/Liberterra-III/BR/x.csv',
    outcome: 'ignored',
    why: 'Operation ids are lower case; another spelling is not the operation.',
  },
  {
    name: 'unknown operation',
    key: 'incoming/liberterra-ii/BR/x.csv',
    outcome: 'ignored',
    why: 'No such operation is defined.',
  },
  {
    name: 'lower-case country',
    key: `incoming/${OP}/br/x.csv`,
    outcome: 'unknown-country',
    country: 'br',
    why: 'Codes are matched exactly: "br" is not BR.',
  },
  {
    name: 'not a participant',
    key: `incoming/${OP}/XX/x.csv`,
    outcome: 'unknown-country',
    country: 'XX',
    why: 'XX is not one of the 119 participants.',
  },
  {
    name: 'Cyrillic lookalike',
    key: `incoming/${OP}/\u0412R/x.csv`,
    outcome: 'unknown-country',
    country: '\u0412R',
    why: 'A Cyrillic В (U+0412) that looks like the B of BR.',
  },
  {
    name: 'space before the code',
    key: `incoming/${OP}/ BR/x.csv`,
    outcome: 'unknown-country',
    country: ' BR',
    why: 'Not trimmed into BR.',
  },
  {
    name: 'URL-encoded dots as the country',
    key: `incoming/${OP}/%2e%2e/FR/x.csv`,
    outcome: 'unknown-country',
    country: '%2e%2e',
    why: 'Keys are decoded once: "%2e%2e" stays literal and is not a code.',
  },
  {
    name: 'URL-encoded slash in the country',
    key: `incoming/${OP}/BR%2FFR/x.csv`,
    outcome: 'unknown-country',
    country: 'BR%2FFR',
    why: '"%2F" is not a separator once decoded once.',
  },
  {
    name: 'URL-encoded dots under BR',
    key: `incoming/${OP}/BR/%2e%2e/x.csv`,
    outcome: 'accepted',
    country: 'BR',
    why: 'A literal "%2e%2e" folder under BR: BR’s own upload.',
  },
  {
    name: 'URL-encoded climb towards FR',
    key: `incoming/${OP}/PT/%2e%2e/%2e%2e/FR/x.csv`,
    outcome: 'accepted',
    country: 'PT',
    why: 'Would reach FR if decoded twice: counted for PT, never FR.',
  },
  {
    name: 'spaces, plus and parentheses',
    key: `incoming/${OP}/ES/return (final) + v2.csv`,
    outcome: 'accepted',
    country: 'ES',
    why: 'S3 notifications encode a space as "+" and "+" as "%2B": both decoded right.',
  },
  {
    name: 'non-ASCII file name',
    key: `incoming/${OP}/CL/retour-été №2.csv`,
    outcome: 'accepted',
    country: 'CL',
    why: 'UTF-8 in the file name.',
  },
  {
    name: 'upper-case extension',
    key: `incoming/${OP}/AR/RETURN.CSV`,
    outcome: 'accepted',
    country: 'AR',
    why: 'The extension is matched without regard to case.',
  },
  {
    name: 'very long key',
    key: `incoming/${OP}/PE/${LONG_NAME}.csv`,
    outcome: 'accepted',
    country: 'PE',
    why: 'A 986-character key (S3 allows 1,024 bytes), in five 190-character segments: one 1,000-character segment crashes the local S3 server (see the report).',
  },
];
const KEY_BODY = Buffer.from(
  'date,metric,breakdown,value\n2025-11-12,arrests,,21\n2025-11-12,officers_deployed,,40\n2025-11-13,arrests,,2\n',
);

/** What happened to one upload. */
type Outcome = {
  submission: Submission | undefined;
  stored: StoredReport | null;
  sent: { sha256: string; size: number; bytes: Buffer | null };
  raw: { sha256: string; size: number; bytes: Buffer | null };
  before: RollupState;
  after: RollupState;
  /** The country's figures as the pure functions compute them from the same bytes (accepted cases). */
  expected: MetricValues | null;
  /** Countries with more than one accepted upload in the group: their final figures are the latest. */
  shared: boolean;
  /** The local S3 API answered 400 to the put: nothing was stored under the key. */
  refused: boolean;
};
type RollupState = { version: number; byCountry: Record<string, MetricValues> };

const SMALL = 1024 * 1024;
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A JSON-safe view of the prototype, to prove that no file polluted it. */
const PROTOTYPE = Object.getOwnPropertyNames(Object.prototype).sort();

describe('hostile inputs through the whole local pipeline', () => {
  let stack: Awaited<ReturnType<typeof freshStack>>;
  let started = 0;

  async function rollupNow(): Promise<RollupState> {
    const stored = await storedRollup(stack, OP);
    const body = stored?.body
      ? (JSON.parse(stored.body) as { byCountry: Record<string, MetricValues> })
      : null;
    return { version: stored?.version ?? 0, byCountry: body?.byCountry ?? {} };
  }

  async function allSubmissions(): Promise<Submission[]> {
    const out: Submission[] = [];
    let cursor: string | undefined;
    do {
      const page = await stack.repo.listSubmissions(OP, null, { limit: 500, cursor });
      out.push(...page.submissions);
      cursor = page.cursor ?? undefined;
    } while (cursor);
    return out;
  }

  /** Waits until every key has a decided submission (ignored keys have none: the queue drains). */
  async function decided(keys: readonly string[]): Promise<Map<string, Submission>> {
    const deadline = Date.now() + 45_000;
    for (;;) {
      await stack.settled();
      const byKey = new Map((await allSubmissions()).map((s) => [s.key, s]));
      const done = keys.every((k) => {
        const s = byKey.get(k);
        return s !== undefined && s.status !== 'processing';
      });
      if (done || Date.now() > deadline) return byKey;
      await new Promise((ok) => setTimeout(ok, 50));
    }
  }

  async function figuresOf(c: Case, bytes: Buffer): Promise<MetricValues | null> {
    const format = formatOf(c.key);
    if (!format) return null;
    const { figures } = await readReturn(
      (async function* () {
        yield bytes;
      })(),
      format,
      { operation: OPERATION, country: c.country },
    );
    if (!figures) return null;
    return Object.fromEntries(OPERATION.metrics.map((m) => [m.id, figures.totals[m.id] ?? null]));
  }

  async function rawObject(key: string): Promise<Outcome['raw']> {
    const { body } = await stack.objects.open(key);
    const bytes = await readAll(body);
    return { sha256: sha256(bytes), size: bytes.length, bytes: bytes.length <= SMALL ? bytes : null };
  }

  /**
   * Puts a group of files at once, waits for all their submissions, and records what happened.
   * `credited` cases are expected to be accepted: their countries may change in the rollup.
   */
  async function runGroup(
    group: readonly Case[],
    credited: (c: Case) => boolean,
    waitFor: (c: Case) => boolean,
  ): Promise<Map<string, Outcome>> {
    const before = await rollupNow();
    const sent = await Promise.all(
      group.map(async (c) => {
        const bytes = c.bytes();
        let refused = false;
        try {
          await stack.putReturn(c.key, bytes);
        } catch (e) {
          if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 400) throw e;
          refused = true;
        }
        const expected = credited(c) ? await figuresOf(c, bytes) : null;
        return {
          c,
          expected,
          refused,
          sent: { sha256: sha256(bytes), size: bytes.length, bytes: bytes.length <= SMALL ? bytes : null },
        };
      }),
    );
    const byKey = await decided(group.filter(waitFor).map((c) => c.key));
    const after = await rollupNow();
    const creditedCount = new Map<string, number>();
    for (const c of group.filter(credited))
      creditedCount.set(c.country, (creditedCount.get(c.country) ?? 0) + 1);
    const outcomes = new Map<string, Outcome>();
    for (const { c, expected, refused, sent: s } of sent) {
      const submission = byKey.get(c.key);
      outcomes.set(c.key, {
        submission,
        stored: submission?.reportKey
          ? await stack.objects.getJson<StoredReport>(submission.reportKey)
          : null,
        sent: s,
        raw: refused ? { sha256: '', size: 0, bytes: null } : await rawObject(c.key),
        refused,
        before,
        after,
        expected,
        shared: (creditedCount.get(c.country) ?? 0) > 1,
      });
    }
    return outcomes;
  }

  // Groups run one after another (each test waits for its own group, in declaration order); the
  // files of a group are uploaded at once. Rejected files never share a group with accepted ones, so
  // "the rollup did not change" is exact for them.
  const chunk = <T>(xs: readonly T[], n: number): T[][] =>
    Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));
  const rejectedSmall = CONTENT.filter((c) => c.verdict === 'rejected' && c.source !== 'generated');
  const rejectedLarge = CONTENT.filter((c) => c.verdict === 'rejected' && c.source === 'generated');
  const accepted = CONTENT.filter((c) => c.verdict === 'accepted');
  const contentGroups: Case[][] = [
    ...chunk(rejectedSmall, Math.ceil(rejectedSmall.length / 3)),
    ...chunk(rejectedLarge, Math.ceil(rejectedLarge.length / 2)),
    accepted,
  ].filter((g) => g.length > 0);
  const keyCase = (t: KeyTrick): Case => ({
    file: t.key,
    country: t.country ?? '',
    verdict: t.outcome === 'accepted' ? 'accepted' : 'rejected',
    code: t.outcome === 'unknown-country' ? 'unknown-country' : null,
    why: t.why,
    source: 'key',
    key: t.key,
    bytes: () => KEY_BODY,
  });
  const keyGroups: Case[][] = [
    KEY_TRICKS.filter((t) => t.outcome !== 'accepted').map(keyCase),
    KEY_TRICKS.filter((t) => t.outcome === 'accepted').map(keyCase),
  ];
  const groups = [...contentGroups, ...keyGroups];
  const runs = new Map<Case[], Promise<Map<string, Outcome>>>();
  const outcomeOf = async (c: Case): Promise<Outcome> => {
    const group = groups.find((g) => g.includes(c))!;
    let run = runs.get(group);
    if (!run) {
      run = runGroup(
        group,
        (x) => x.verdict === 'accepted',
        (x) =>
          x.source !== 'key' ||
          !['ignored', 'refused'].includes(KEY_TRICKS.find((t) => t.key === x.key)?.outcome ?? ''),
      );
      runs.set(group, run);
    }
    const outcome = (await run).get(c.key);
    if (!outcome) throw new Error(`no outcome for ${c.key}`);
    return outcome;
  };

  /** What must hold after every upload, whatever the file: the process and the queue are fine. */
  async function stillHealthy(): Promise<void> {
    const health = await fetch(`${stack.apiUrl}/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { ok: boolean }).ok).toBe(true);
    expect(stack.queue.deadLetters).toEqual([]);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }

  function expectKept(o: Outcome): void {
    expect(o.raw.size).toBe(o.sent.size);
    expect(o.raw.sha256).toBe(o.sent.sha256);
    if (o.sent.bytes && o.raw.bytes) expect(Buffer.compare(o.raw.bytes, o.sent.bytes)).toBe(0);
  }

  function expectRollupUnchanged(o: Outcome): void {
    expect(o.after.version).toBe(o.before.version);
    expect(o.after.byCountry).toEqual(o.before.byCountry);
  }

  /** Only the countries credited in the group changed; a country credited once holds its file's figures. */
  function expectCredited(o: Outcome, country: string, group: readonly Case[]): void {
    const credited = new Set(group.filter((c) => c.verdict === 'accepted').map((c) => c.country));
    const changed = Object.keys({ ...o.before.byCountry, ...o.after.byCountry }).filter(
      (cc) => JSON.stringify(o.before.byCountry[cc]) !== JSON.stringify(o.after.byCountry[cc]),
    );
    for (const cc of changed) expect(credited, `${cc} changed in the rollup`).toContain(cc);
    expect(o.after.version).toBeGreaterThan(o.before.version);
    if (!o.shared) expect(o.after.byCountry[country]).toEqual(o.expected);
  }

  beforeAll(async () => {
    started = Date.now();
    stack = await freshStack();
    // BR has accepted figures before the catalogue: a rejected BR file must leave them as they are.
    const baseline = `incoming/${OP}/BR/baseline.csv`;
    await stack.putReturn(
      baseline,
      'date,metric,value\n2025-11-12,arrests,40\n2025-11-12,officers_deployed,75\n',
    );
    const subs = await decided([baseline]);
    expect(subs.get(baseline)?.status).toBe('accepted');
  });
  afterAll(async () => {
    await stack?.dispose();
    console.log(
      `hostile catalogue: ${CONTENT.length + KEY_TRICKS.length} uploads in ${Date.now() - started} ms`,
    );
  });

  it('has the catalogue the brief asks for, checked in as make-hostile.ts writes it', () => {
    const mine = CONTENT.filter((c) => c.source === 'manifest');
    expect(mine.length).toBeGreaterThanOrEqual(36);
    for (const c of hostileFixtures()) {
      expect(readFileSync(join(HOSTILE_DIR, c.file)).equals(c.bytes()), `${c.file} is stale`).toBe(true);
      expect(c.bytes().length).toBeLessThan(200 * 1024);
    }
    expect(new Set(CONTENT.map((c) => c.key)).size).toBe(CONTENT.length);
  });

  const ordered = groups.flat().filter((c) => c.source !== 'key');
  it.each(ordered)('$file ($country, $source) is $verdict, first error $code', async (c) => {
    const o = await outcomeOf(c);
    expect(o.submission, `no submission for ${c.key}`).toBeDefined();
    expect(o.submission?.status).toBe(c.verdict);
    const report = o.stored?.report;
    expect(report?.verdict).toBe(c.verdict);
    const firstError = report?.problems.find((p) => p.severity === 'error');
    expect(firstError?.code ?? null).toBe(c.code);
    if (c.row !== undefined) expect(firstError?.row).toBe(c.row);
    if (c.verdict === 'accepted') expect(report?.counts.errors).toBe(0);
    // The receipt and the raw object are those of the bytes sent.
    expect(o.submission?.sha256).toBe(o.sent.sha256);
    expect(o.submission?.size).toBe(o.sent.size);
    expectKept(o);
    if (c.verdict === 'rejected') expectRollupUnchanged(o);
    else expectCredited(o, c.country, groups.find((g) => g.includes(c))!);
    await stillHealthy();
  });

  const keyCases = keyGroups.flat();
  it.each(KEY_TRICKS)('key trick "$name" is $outcome', async (trick) => {
    const c = keyCases.find((k) => k.key === trick.key)!;
    const o = await outcomeOf(c);
    expect(o.refused).toBe(trick.outcome === 'refused');
    if (trick.outcome === 'refused') {
      expect(o.submission).toBeUndefined();
      expectRollupUnchanged(o);
      await stillHealthy();
      return;
    }
    expectKept(o);
    if (trick.outcome === 'ignored') {
      expect(o.submission).toBeUndefined();
      expectRollupUnchanged(o);
    } else if (trick.outcome === 'unknown-country') {
      expect(o.submission).toMatchObject({ status: 'rejected', country: trick.country });
      expect(o.stored?.report.problems[0]?.code).toBe('unknown-country');
      expectRollupUnchanged(o);
    } else {
      expect(o.submission).toMatchObject({ status: 'accepted', country: trick.country });
      expectCredited(o, trick.country!, keyGroups[1]!);
    }
    await stillHealthy();
  });
});
