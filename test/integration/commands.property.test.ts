import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectCreated, sqsEventOf } from '../../events/load-event.ts';
import { makeIngestHandler } from '../../functions/ingest/ingest.ts';
import { Repository } from '../../shared/adapters/repository.ts';
import { rebuild, reconcile } from '../../shared/app/audit.ts';
import { changeStatus } from '../../shared/app/change-status.ts';
import { defineOperation } from '../../shared/app/define-operation.ts';
import { storedRollup } from '../../shared/app/read-rollup.ts';
import type { Manifest } from '../../shared/domain/final-export.ts';
import { finalManifestKey } from '../../shared/domain/object-keys.ts';
import type { Operation, OperationStatus } from '../../shared/domain/operation.ts';
import { parseOperation } from '../../shared/domain/operation-schema.ts';
import { orderKeyOf } from '../../shared/domain/uploads.ts';
import { type FaultTiming, failOnce } from '../faults/inject.ts';
import { aSigner, freshStack } from '../support/local-servers.ts';
import { VersionedObjects } from '../support/versioned-objects.ts';

/**
 * One model under every schedule (issue 10). fast-check draws sequences of commands — uploads
 * (plain puts and slot uploads, slots used twice), deliveries (duplicated, reordered, with a crash
 * injected at any step of the ingest), status changes (close, reopen, finalise), redefinitions and
 * rebuilds — and after every command checks that the ledger's verdicts, the country items, the
 * rollup, `reconcile` and, when final, the frozen manifest agree with a model of what the
 * operation must hold, and that the rollup version only grew.
 */

const RUNS = Number(process.env.OPTALLY_COMMAND_RUNS ?? '200');
const COUNTRIES = ['AR', 'BR', 'CL'] as const;
type Country = (typeof COUNTRIES)[number];

function definition(id: string, withChile: boolean): Operation {
  const parsed = parseOperation({
    id,
    name: `Commands ${id}`,
    window: { start: '2025-11-10', end: '2025-11-12' },
    reportingDeadline: '2025-11-20T00:00:00Z',
    participants: [
      { code: 'AR', name: 'Argentina', region: 'Americas' },
      { code: 'BR', name: 'Brazil', region: 'Americas' },
      ...(withChile ? [{ code: 'CL', name: 'Chile', region: 'Americas' }] : []),
    ],
    metrics: [{ id: 'arrests', label: 'Arrests', aggregation: 'sum' }],
  });
  if (!parsed.ok) throw new Error(parsed.error.join('\n'));
  return parsed.value;
}

/** The steps of the ingest a crash can strike (a call of the repository or the object store). */
const STEPS = [
  ['repo', 'getOperation', 'before'],
  ['repo', 'startSubmission', 'after'],
  ['repo', 'getCountries', 'after'],
  ['objects', 'firstVersion', 'before'],
  ['objects', 'open', 'before'],
  ['repo', 'applyCountry', 'before'],
  ['repo', 'applyCountry', 'after'],
  ['objects', 'putJson', 'before'],
  ['objects', 'putJson', 'after'],
  ['repo', 'finishSubmissions', 'before'],
  ['repo', 'finishSubmissions', 'after'],
  ['repo', 'rollupBasis', 'before'],
  ['objects', 'putBytes', 'after'],
  ['repo', 'putRollupHead', 'after'],
  ['repo', 'putRollupHistory', 'after'],
] as const;

type Command =
  | { kind: 'upload'; country: Country; value: number; valid: boolean; via: 'put' | 'slot' }
  | { kind: 'reuse-slot'; pick: number; value: number }
  | { kind: 'deliver'; pick: number; fault: number | null }
  | { kind: 'status'; to: OperationStatus }
  | { kind: 'redefine'; withChile: boolean }
  | { kind: 'rebuild' };

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('upload' as const),
      country: fc.constantFrom(...COUNTRIES),
      value: fc.nat(50),
      valid: fc.constantFrom(true, true, true, false),
      via: fc.constantFrom('put' as const, 'slot' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('reuse-slot' as const), pick: fc.nat(), value: fc.nat(50) }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('deliver' as const),
      pick: fc.nat(),
      fault: fc.option(fc.nat(STEPS.length - 1), { freq: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('status' as const),
      to: fc.constantFrom<OperationStatus>('open', 'closed', 'final'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('redefine' as const), withChile: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rebuild' as const) }) },
);

/** A file in S3 as the model knows it, and the verdict it must get when first delivered. */
type File = {
  country: Country;
  key: string;
  versionId: string;
  value: number;
  valid: boolean;
  eventTime: string;
  sequencer: string;
  /** The operation's status when S3 received it. */
  statusAtReceipt: OperationStatus;
  /** Not the first file of its slot. */
  slotReused: boolean;
  delivered: boolean;
  verdict: 'accepted' | 'rejected' | null;
};

const pause = () => new Promise((ok) => setTimeout(ok, 2));

describe('one model under any sequence of commands', () => {
  let stack: Awaited<ReturnType<typeof freshStack>>;
  let signer: Awaited<ReturnType<typeof aSigner>>;
  beforeAll(async () => {
    stack = await freshStack({ notifications: false });
    signer = await aSigner();
  });
  afterAll(async () => {
    await stack.dispose();
  });

  it(`keeps the ledger, the figures, the raw files and the manifest in agreement (${RUNS} sequences)`, async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(commandArb, { minLength: 1, maxLength: 12 }), async (commands) => {
        const opId = `cmd-${++run}`;
        const versions = new Map<string, string[]>();
        const objects = new VersionedObjects(stack.objects.s3, stack.bucket, versions);
        const stores = { repo: stack.repo, objects, signer };
        let withChile = true;
        let status: OperationStatus = 'open';
        const defined = await defineOperation(stores, definition(opId, true), {
          by: 'test',
          initialStatus: 'open',
        });
        if (!defined.ok) throw new Error(defined.error.message);
        const files: File[] = [];
        const slots: { key: string; country: Country }[] = [];
        const seq = new Map<Country, number>();
        let sequencer = 0;
        let versionSeen = 0;

        const store = async (
          country: Country,
          key: string,
          value: number,
          valid: boolean,
          slotReused: boolean,
        ) => {
          await pause();
          const body = `date,metric,value\n2025-11-11,arrests,${valid ? value : -1}\n`;
          const versionId = await objects.putVersion(key, body);
          files.push({
            country,
            key,
            versionId,
            value,
            valid,
            eventTime: new Date().toISOString(),
            sequencer: (++sequencer).toString(16).padStart(4, '0'),
            statusAtReceipt: status,
            slotReused,
            delivered: false,
            verdict: null,
          });
        };

        const deliver = async (file: File, fault: number | null) => {
          const repo = new Repository(stack.repo.db, stack.table);
          const own = new VersionedObjects(stack.objects.s3, stack.bucket, versions);
          if (fault !== null) {
            const [adapter, method, timing] = STEPS[fault]!;
            failOnce(adapter === 'repo' ? repo : own, method as never, 1, timing as FaultTiming);
          }
          const ingest = makeIngestHandler({ repo, objects: own, maxReceives: 10, log: () => undefined });
          const event = objectCreated(file.key, {
            eventTime: file.eventTime,
            bucket: stack.bucket,
            versionId: file.versionId,
          });
          const [record] = event.Records;
          if (record) record.s3.object.sequencer = file.sequencer;
          // As SQS does: delivered again while the handler reports a failure.
          for (let receive = 1; ; receive++) {
            if ((await ingest(sqsEventOf([event], receive))).batchItemFailures.length === 0) break;
            if (receive >= 5) throw new Error(`${file.key} still failing after 5 receives`);
          }
          if (!file.delivered) {
            file.delivered = true;
            const participant = file.country !== 'CL' || withChile;
            file.verdict =
              file.valid && participant && file.statusAtReceipt === 'open' && !file.slotReused
                ? 'accepted'
                : 'rejected';
          }
        };

        const check = async () => {
          const record = await stack.repo.getOperation(opId);
          if (!record) throw new Error('operation missing');
          const ledger = new Map(
            (await stack.repo.allSubmissions(opId)).map((s) => [`${s.key}#${s.versionId}`, s]),
          );
          // Every delivered file has the verdict of the model.
          for (const f of files.filter((f) => f.delivered)) {
            expect(ledger.get(`${f.key}#${f.versionId}`)?.status, `${f.key} ${f.versionId}`).toBe(f.verdict);
          }
          // Each country counts its latest accepted file (by order key), whatever the delivery order.
          const counts = new Map<Country, File>();
          for (const f of files.filter((f) => f.verdict === 'accepted')) {
            const key = (x: File) =>
              orderKeyOf({ eventTime: x.eventTime, key: x.key, sequencer: x.sequencer });
            const held = counts.get(f.country);
            if (!held || key(f) > key(held)) counts.set(f.country, f);
          }
          for (const country of COUNTRIES) {
            const item = await stack.repo.getCountry(opId, country);
            const expected = counts.get(country);
            expect(
              item ? ledger.get(`${expected?.key}#${expected?.versionId}`)?.id : undefined,
              country,
            ).toBe(item?.submissionId);
            expect(item?.figures.totals.arrests, country).toBe(expected?.value);
          }
          // The rollup adds up the participants' figures, under a version that only grew.
          const participants = record.definition.participants.map((p) => p.code as Country);
          const stored = await storedRollup(stack, opId);
          const r = stored?.body ? JSON.parse(stored.body) : null;
          const total = participants.map((c) => counts.get(c)?.value).filter((v) => v !== undefined);
          expect(r?.totals.arrests ?? null).toBe(
            total.length > 0 ? total.reduce((a, b) => a! + b!, 0) : null,
          );
          expect(stored?.version ?? 0).toBeGreaterThanOrEqual(versionSeen);
          versionSeen = stored?.version ?? 0;
          // The raw files prove the same figures; once final, so does the frozen manifest.
          expect((await reconcile(stack.repo, objects, record)).differences).toEqual([]);
          if (record.status === 'final') {
            const manifest = await objects.getJson<Manifest>(finalManifestKey(opId));
            expect(manifest?.figures.totals).toEqual(r?.totals ?? manifest?.figures.totals);
          }
        };

        for (const c of commands) {
          switch (c.kind) {
            case 'upload': {
              const n = (seq.get(c.country) ?? 0) + 1;
              seq.set(c.country, n);
              const key =
                c.via === 'slot'
                  ? `incoming/${opId}/${c.country}/u${String(n).padStart(9, '0')}-0000000${n % 10}/return.csv`
                  : `incoming/${opId}/${c.country}/put-${n}.csv`;
              if (c.via === 'slot') slots.push({ key, country: c.country });
              await store(c.country, key, c.value, c.valid, false);
              break;
            }
            case 'reuse-slot': {
              const slot = slots[c.pick % Math.max(slots.length, 1)];
              if (slot) await store(slot.country, slot.key, c.value, true, true);
              break;
            }
            case 'deliver': {
              const file = files[c.pick % Math.max(files.length, 1)];
              if (file) await deliver(file, c.fault);
              break;
            }
            case 'status': {
              await pause();
              const record = await stack.repo.getOperation(opId);
              const pending = files.some((f) => !f.delivered);
              const changed = await changeStatus(stores, record!, c.to, {
                reason: 'a command of the test',
                by: 'test',
              });
              const allowed =
                record!.status !== c.to &&
                (c.to !== 'final' || record!.status === 'closed') &&
                !(c.to === 'closed' && record!.status === 'draft');
              const expectOk =
                (allowed && !(c.to === 'final' && pending)) ||
                (c.to === 'final' && record!.status === 'final');
              expect(changed.ok, `${record!.status} → ${c.to}`).toBe(expectOk);
              if (changed.ok) status = c.to;
              await pause();
              break;
            }
            case 'redefine': {
              const refused = await defineOperation(stores, definition(opId, c.withChile), {
                by: 'test',
                initialStatus: 'open',
              });
              // The same definition again is no change, taken in any status.
              expect(refused.ok).toBe(status === 'open' || status === 'draft' || c.withChile === withChile);
              if (refused.ok) withChile = c.withChile;
              break;
            }
            case 'rebuild':
              await rebuild(stack.repo, objects, opId);
              break;
          }
          await check();
        }
      }),
      { numRuns: RUNS },
    );
  }, 1_800_000);
});
