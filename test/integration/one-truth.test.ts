import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvent, objectCreated, sqsEventOf } from '../../events/load-event.ts';
import { makeApiHandler } from '../../functions/api/routes.ts';
import { INGEST_CONCURRENCY, makeIngestHandler } from '../../functions/ingest/ingest.ts';
import { ObjectStore } from '../../shared/adapters/objects.ts';
import { Repository } from '../../shared/adapters/repository.ts';
import { rebuild, reconcile } from '../../shared/app/audit.ts';
import { defineOperation } from '../../shared/app/define-operation.ts';
import { storedRollup } from '../../shared/app/read-rollup.ts';
import type { Operation } from '../../shared/domain/operation.ts';
import { anOperation } from '../support/builders.ts';
import { aSigner, defineOn, freshStack } from '../support/local-servers.ts';
import { VersionedObjects } from '../support/versioned-objects.ts';

/**
 * One truth under every schedule (issue 10): the ledger's verdicts, the country items, the rollup,
 * the raw files and the final manifest agree after retries, lifecycle changes, redefinitions and
 * reused slots. Each test is a schedule that made them disagree.
 */

type Stack = Awaited<ReturnType<typeof freshStack>>;
let stack: Stack;
let ops = 0;

let signer: Awaited<ReturnType<typeof aSigner>>;
beforeAll(async () => {
  stack = await freshStack({ notifications: false });
  signer = await aSigner();
});
afterAll(async () => {
  await stack.dispose();
});

const csv = (arrests: number) => `date,metric,value\n2025-11-12,arrests,${arrests}\n`;
const newOp = (overrides: Record<string, unknown> = {}): Operation =>
  anOperation({ id: `truth-${++ops}`, ...overrides });
const quiet = () => undefined;
const pause = () => new Promise((ok) => setTimeout(ok, 2));

/** An object store on the stack whose `putJson` fails for keys matching `failing` while `on()`. */
function flakyReports(objects: ObjectStore, failing: RegExp, on: () => boolean): ObjectStore {
  const real = objects.putJson.bind(objects);
  return Object.assign(Object.create(objects) as ObjectStore, {
    putJson: async (key: string, value: unknown) => {
      if (on() && failing.test(key)) throw new Error(`injected: cannot write ${key}`);
      return real(key, value);
    },
  });
}

/** The ingest handler over the stack, its report writes failing while `failing()` says so. */
function ingestWithFlakyReports(failing: () => boolean, maxReceives = 5) {
  return ingestOn(flakyReports(stack.objects, /^reports\//, failing), maxReceives);
}

/** The ingest handler over the stack's table and `objects`, quiet. */
function ingestOn(objects: ObjectStore, maxReceives = 5) {
  return makeIngestHandler({ repo: stack.repo, objects, maxReceives, log: quiet });
}

/** A plain S3 put of a return and its notification, received now. */
async function putReturn(op: string, country: string, name: string, body: string) {
  const key = `incoming/${op}/${country}/${name}`;
  await stack.objects.put(key, body);
  return objectCreated(key, { eventTime: new Date().toISOString(), bucket: stack.bucket });
}

async function ledger(op: string) {
  return (await stack.repo.listSubmissions(op, null, { limit: 100 })).submissions;
}

async function rollupOf(op: string) {
  const stored = await storedRollup(stack, op);
  return stored?.body ? JSON.parse(stored.body) : null;
}

/** Calls the API Lambda as an admin (or another role). */
function api(repo: Repository, objects: ObjectStore) {
  const handler = makeApiHandler({ repo, objects, signer });
  return async (method: 'GET' | 'POST', path: string, body?: unknown, role = 'admin') => {
    const event = loadEvent('http-api-request');
    event.rawPath = path;
    event.requestContext.http.path = path;
    event.requestContext.http.method = method;
    event.body = body === undefined ? undefined : JSON.stringify(body);
    event.requestContext.authorizer.jwt.claims = { sub: `${role}-1`, 'cognito:groups': `[${role}]` };
    const res = await handler(event);
    return { status: res.statusCode, body: res.body ? JSON.parse(String(res.body)) : null };
  };
}

describe('a verdict is decided once', () => {
  it('keeps an applied return accepted when its retry comes after the operation closed', async () => {
    const op = newOp();
    await defineOn(stack, op);
    let failing = true;
    const ingest = ingestWithFlakyReports(() => failing);
    const created = await putReturn(op.id, 'BR', 'return.csv', csv(7));

    // First delivery: the figures are applied, then the report cannot be written.
    expect((await ingest(sqsEventOf([created], 1))).batchItemFailures).toHaveLength(1);
    await stack.repo.setOperationStatus(op.id, 'open', 'closed', 'admin', 'window ended');
    failing = false;
    expect((await ingest(sqsEventOf([created], 2))).batchItemFailures).toEqual([]);

    const [sub] = await ledger(op.id);
    expect(sub?.status).toBe('accepted');
    expect((await rollupOf(op.id))?.byCountry.BR.arrests).toBe(7);
    const record = await stack.repo.getOperation(op.id);
    expect((await reconcile(stack.repo, stack.objects, record!)).differences).toEqual([]);
  });

  it('records a return whose figures count as accepted, not failed, when its last attempt fails', async () => {
    const op = newOp();
    await defineOn(stack, op);
    const ingest = ingestWithFlakyReports(() => true, 2);
    const created = await putReturn(op.id, 'KE', 'return.csv', csv(3));

    await ingest(sqsEventOf([created], 1));
    await ingest(sqsEventOf([created], 2));

    const [sub] = await ledger(op.id);
    expect((await stack.repo.getCountry(op.id, 'KE'))?.submissionId).toBe(sub?.id);
    expect(sub?.status).toBe('accepted');
  });

  it('finishes such a return with its report when the message is redriven', async () => {
    const op = newOp();
    await defineOn(stack, op);
    let failing = true;
    const flaky = flakyReports(stack.objects, /^reports\//, () => failing);
    const ingest = ingestOn(flaky, 1);
    const created = await putReturn(op.id, 'FR', 'return.csv', csv(2));
    await ingest(sqsEventOf([created], 1));
    failing = false;

    // A DLQ redrive delivers the message again.
    await ingest(sqsEventOf([created], 1));

    const [sub] = await ledger(op.id);
    expect(sub).toMatchObject({ status: 'accepted', failure: null });
    expect(sub?.reportKey).toMatch(/^reports\//);
  });

  it('judges timeliness from when S3 received the file, not when it was processed', async () => {
    const op = newOp({ reportingDeadline: '2025-11-20T00:00:00Z' });
    await defineOn(stack, op);
    const ingest = ingestOn(stack.objects);
    const key = `incoming/${op.id}/BR/return.csv`;
    await stack.objects.put(key, csv(5));

    // Received before the deadline; processed now, long after it (a retry, a DLQ redrive).
    await ingest(
      sqsEventOf([objectCreated(key, { eventTime: '2025-11-19T23:00:00.000Z', bucket: stack.bucket })]),
    );

    const r = await rollupOf(op.id);
    expect(r?.progress.late).toEqual([]);
    expect(r?.countries.BR.late).toBe(false);
  });
});

describe('finalising', () => {
  async function closedWithOneReturn() {
    const op = newOp();
    await defineOn(stack, op);
    const ingest = ingestOn(stack.objects);
    await ingest(sqsEventOf([await putReturn(op.id, 'BR', 'return.csv', csv(9))]));
    await stack.repo.setOperationStatus(op.id, 'open', 'closed', 'admin', 'window ended');
    return op;
  }

  it('never says final before the manifest is frozen, and serves only frozen figures', async () => {
    const op = await closedWithOneReturn();
    let failing = true;
    const call = api(
      stack.repo,
      flakyReports(stack.objects, /^final\//, () => failing),
    );

    const first = await call('POST', `/operations/${op.id}/status`, { status: 'final' });

    expect(first.status).toBe(500);
    expect((await stack.repo.getOperation(op.id))?.status).toBe('closed');
    failing = false;
    const again = await call('POST', `/operations/${op.id}/status`, { status: 'final' });
    expect(again.status).toBe(200);
    const final = await call('GET', `/operations/${op.id}/final`, undefined, 'auditor');
    expect(final.body.manifest.status).toBe('final');
    expect(final.body.manifestSha256).toBe(again.body.manifestSha256);
  });

  it('completes a finalisation whose archive failed when the same request is sent again', async () => {
    const op = await closedWithOneReturn();
    let failing = true;
    const call = api(
      stack.repo,
      flakyReports(stack.objects, /^definitions\//, () => failing),
    );

    expect((await call('POST', `/operations/${op.id}/status`, { status: 'final' })).status).toBe(500);
    failing = false;
    const again = await call('POST', `/operations/${op.id}/status`, { status: 'final' });

    expect(again.status).toBe(200);
    expect(again.body.status).toBe('final');
    const final = await call('GET', `/operations/${op.id}/final`, undefined, 'auditor');
    expect(final.body.manifestSha256).toBe(again.body.manifestSha256);
    const archived = await stack.objects.getJson<{ status: string }>(`definitions/${op.id}.json`);
    expect(archived?.status).toBe('final');
  });

  it('refuses to finalise while a received file has no verdict yet', async () => {
    const op = await closedWithOneReturn();
    // Received before closing, its event not handled yet.
    await stack.objects.put(`incoming/${op.id}/KE/return.csv`, csv(4));

    const res = await api(stack.repo, stack.objects)('POST', `/operations/${op.id}/status`, {
      status: 'final',
    });

    expect(res.status).toBe(409);
    expect(JSON.stringify(res.body)).toMatch(/still-processing/);
    expect((await stack.repo.getOperation(op.id))?.status).toBe('closed');
  });
});

describe('redefining an operation', () => {
  it('keeps the live rollup moving when a redefinition removes a participant', async () => {
    const op = newOp();
    await defineOn(stack, op);
    const ingest = ingestOn(stack.objects);
    for (const [i, n] of [1, 2, 3].entries()) {
      await ingest(sqsEventOf([await putReturn(op.id, 'KE', `r${i}.csv`, csv(n))]));
    }
    await ingest(sqsEventOf([await putReturn(op.id, 'BR', 'r.csv', csv(4))]));
    const before = (await rollupOf(op.id))?.version;

    await defineOn(stack, { ...op, participants: op.participants.filter((p) => p.code !== 'KE') });
    await ingest(sqsEventOf([await putReturn(op.id, 'FR', 'r.csv', csv(6))]));

    const after = await rollupOf(op.id);
    expect(after?.byCountry).not.toHaveProperty('KE');
    expect(after?.byCountry.FR?.arrests).toBe(6);
    expect(after?.totals.arrests).toBe(10);
    expect(after?.version).toBeGreaterThan(before);
  });

  it('logs every change of a definition with its version, author and what changed', async () => {
    const op = newOp();
    await defineOn(stack, op);

    await defineOn(stack, { ...op, name: 'Renamed', participants: op.participants.slice(1) });

    const record = await stack.repo.getOperation(op.id);
    expect(record?.definitionVersion).toBe(2);
    expect(record?.definitionLog.map((c) => c.version)).toEqual([1, 2]);
    expect(record?.definitionLog[1]?.by).toBe('test');
    const shown = await api(stack.repo, stack.objects)(
      'GET',
      `/operations/${op.id}`,
      undefined,
      'coordinator',
    );
    expect(shown.body).toMatchObject({ definitionVersion: 2, definitionLog: record?.definitionLog });
    expect(record?.definitionLog[1]?.changes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^name: /),
        expect.stringMatching(/participants removed/),
      ]),
    );
  });

  it('refuses a new definition for a closed or final operation, with a clear reason', async () => {
    const op = newOp();
    await defineOn(stack, op);
    await stack.repo.setOperationStatus(op.id, 'open', 'closed', 'admin', 'window ended');

    const refused = await defineOperation(
      { repo: stack.repo, objects: stack.objects },
      { ...op, name: 'Late change' },
      {
        by: 'test',
        initialStatus: 'open',
      },
    );

    expect(refused.ok).toBe(false);
    expect(refused.ok ? null : refused.error.code).toBe('operation-not-editable');
    expect((await stack.repo.getOperation(op.id))?.definition.name).toBe(op.name);
  });
});

describe('evidence by key and version id', () => {
  function versioned(): VersionedObjects {
    return new VersionedObjects(stack.objects.s3, stack.bucket);
  }
  function notification(key: string, versionId: string, eventTime: string, sequencer: string) {
    const event = objectCreated(key, { eventTime, bucket: stack.bucket, versionId });
    const [record] = event.Records;
    if (record) record.s3.object.sequencer = sequencer;
    return event;
  }

  it('takes one file per upload slot: a second one is rejected and changes nothing', async () => {
    const op = newOp();
    await defineOn(stack, op);
    const objects = versioned();
    const ingest = ingestOn(objects);
    const key = `incoming/${op.id}/BR/u000000001-0a1b2c3d/return.csv`;
    const first = await objects.putVersion(key, csv(10));
    const second = await objects.putVersion(key, csv(999)); // the presigned POST replayed
    const now = Date.now();

    // Delivered in reverse order: the verdicts must not depend on it.
    await ingest(sqsEventOf([notification(key, second, new Date(now + 1000).toISOString(), '0002')]));
    await ingest(sqsEventOf([notification(key, first, new Date(now).toISOString(), '0001')]));

    const subs = await ledger(op.id);
    expect(subs.map((s) => [s.versionId, s.status]).sort()).toEqual(
      [
        [first, 'accepted'],
        [second, 'rejected'],
      ].sort(),
    );
    const rejected = subs.find((s) => s.versionId === second);
    const report = await stack.objects.getJson<{ report: { problems: { code: string }[] } }>(
      rejected!.reportKey!,
    );
    expect(report?.report.problems.map((p) => p.code)).toEqual(['slot-already-used']);
    expect((await rollupOf(op.id))?.byCountry.BR.arrests).toBe(10);
    // Evidence is addressed by version: the raw file that counts is still the first one.
    const record = await stack.repo.getOperation(op.id);
    expect((await reconcile(stack.repo, objects, record!)).differences).toEqual([]);
  });

  it('counts both of two plain puts of one key in the same millisecond, the later last', async () => {
    const op = newOp();
    await defineOn(stack, op);
    const objects = versioned();
    const ingest = ingestOn(objects);
    const key = `incoming/${op.id}/KE/return.csv`;
    const at = new Date().toISOString();
    const v1 = await objects.putVersion(key, csv(1));
    const v2 = await objects.putVersion(key, csv(2));

    await ingest(sqsEventOf([notification(key, v1, at, '00A1')]));
    await ingest(sqsEventOf([notification(key, v2, at, '00A2')]));

    const subs = await ledger(op.id);
    expect(subs).toHaveLength(2);
    expect(subs.every((s) => s.status === 'accepted')).toBe(true);
    expect((await rollupOf(op.id))?.byCountry.KE.arrests).toBe(2);
  });
});

describe('rebuild', () => {
  it('restores the same ledger and figures from S3 after a return was applied by a retry', async () => {
    const op = newOp();
    await defineOn(stack, op);
    let failing = true;
    const ingest = ingestWithFlakyReports(() => failing);
    const created = await putReturn(op.id, 'BR', 'return.csv', csv(8));
    await ingest(sqsEventOf([created], 1));
    await stack.repo.setOperationStatus(op.id, 'open', 'closed', 'admin', 'window ended');
    const record = await stack.repo.getOperation(op.id);
    await stack.objects.putJson(`definitions/${op.id}.json`, record);
    failing = false;
    await ingest(sqsEventOf([created], 2));
    const before = { ledger: await ledger(op.id), rollup: await rollupOf(op.id) };

    await rebuild(stack.repo, stack.objects, op.id);

    const after = await ledger(op.id);
    expect(after.map((s) => s.status)).toEqual(['accepted']);
    expect(after.map((s) => [s.id, s.status])).toEqual(before.ledger.map((s) => [s.id, s.status]));
    expect((await rollupOf(op.id))?.totals.arrests).toBe(8);
    expect((await rollupOf(op.id))?.totals).toEqual(before.rollup?.totals);
  });
});

describe('bounded work per invocation', () => {
  it('returns, unstarted, the messages it has no time left for', async () => {
    const op = newOp();
    await defineOn(stack, op);
    const ingest = ingestOn(stack.objects);
    const events = [
      await putReturn(op.id, 'BR', 'a.csv', csv(1)),
      await putReturn(op.id, 'KE', 'b.csv', csv(2)),
    ];

    const out = await ingest(sqsEventOf(events), { getRemainingTimeInMillis: () => 5_000 });

    expect(out.batchItemFailures).toHaveLength(2);
    expect(await ledger(op.id)).toEqual([]);
  });

  it(`handles at most ${INGEST_CONCURRENCY} files of a batch at once`, async () => {
    const op = newOp();
    await defineOn(stack, op);
    const repo = new Repository(stack.repo.db, stack.table);
    const objects = new ObjectStore(stack.objects.s3, stack.bucket);
    let open = 0;
    let most = 0;
    const start = repo.startSubmission.bind(repo);
    const report = objects.putJson.bind(objects);
    repo.startSubmission = async (...args) => {
      most = Math.max(most, ++open);
      return start(...args);
    };
    // A file's last step of its own is storing its report (the batch's verdicts are written together).
    objects.putJson = async (...args) => {
      const done = await report(...args);
      open--;
      return done;
    };
    const ingest = makeIngestHandler({ repo, objects, maxReceives: 5, log: quiet });
    const events = [];
    for (const [i, cc] of ['BR', 'KE', 'FR', 'BR', 'KE', 'FR', 'BR', 'KE', 'FR', 'BR'].entries()) {
      events.push(await putReturn(op.id, cc, `f${i}.csv`, csv(i)));
    }

    const out = await ingest(sqsEventOf(events));

    expect(out.batchItemFailures).toEqual([]);
    expect((await ledger(op.id)).every((s) => s.status === 'accepted')).toBe(true);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(INGEST_CONCURRENCY);
  });
});

describe('ledger pages', () => {
  it('tell which accepted file was replaced, and by which, from the countries on the page', async () => {
    const op = newOp();
    await defineOn(stack, op);
    const ingest = ingestOn(stack.objects);
    await ingest(sqsEventOf([await putReturn(op.id, 'BR', 'first.csv', csv(1))]));
    await pause();
    await ingest(sqsEventOf([await putReturn(op.id, 'BR', 'second.csv', csv(2))]));
    await ingest(sqsEventOf([await putReturn(op.id, 'KE', 'only.csv', csv(3))]));
    const call = api(stack.repo, stack.objects);

    const ledgerPage = await call('GET', `/operations/${op.id}/ledger`, undefined, 'auditor');
    const list = await call('GET', `/operations/${op.id}/submissions`, undefined, 'coordinator');

    const byKey = (entries: { key: string; status: string; id: string; supersededBy?: string | null }[]) =>
      Object.fromEntries(entries.map((e) => [e.key.split('/').at(-1), e]));
    const entries = byKey(ledgerPage.body.entries);
    expect(entries['first.csv']).toMatchObject({
      status: 'superseded',
      supersededBy: entries['second.csv']?.id,
    });
    expect(entries['second.csv']).toMatchObject({ status: 'accepted', supersededBy: null });
    expect(entries['only.csv']).toMatchObject({ status: 'accepted' });
    expect(byKey(list.body.submissions)['first.csv']?.status).toBe('superseded');
  });
});
