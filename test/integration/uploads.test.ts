import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CountryView,
  DryRunResult,
  ErrorBody,
  LedgerPage,
  RollupView,
  SubmissionPage,
  UploadSlot,
  UploadStatus,
} from '../../shared/api/responses.ts';
import { aReturn } from '../support/builders.ts';
import { freshStack } from '../support/local-servers.ts';

const OP = 'liberterra-iii';

type Slot = UploadSlot;
type Receipt = UploadStatus;

describe('upload slots, receipts and dry runs on the local stack', () => {
  let stack: Awaited<ReturnType<typeof freshStack>>;
  const call = (
    method: string,
    path: string,
    token: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });

  async function slot(
    token: string,
    body: Record<string, unknown> = { fileName: 'return.csv' },
  ): Promise<Slot> {
    const res = await call('POST', `/operations/${OP}/uploads`, token, body);
    expect(res.status).toBe(201);
    return (await res.json()) as Slot;
  }

  /** Uploads a file to a slot the way a browser form or the CLI does: a multipart POST straight to S3. */
  async function post(s: Slot, content: string): Promise<number> {
    const form = new FormData();
    for (const [k, v] of Object.entries(s.upload.fields)) form.append(k, v);
    form.append('file', new Blob([content], { type: 'text/csv' }), 'return.csv');
    const res = await fetch(s.upload.url, { method: 'POST', body: form });
    return res.status;
  }

  async function receiptWhen(
    token: string,
    uploadId: string,
    ready: (r: Receipt) => boolean,
  ): Promise<Receipt> {
    for (let i = 0; i < 200; i++) {
      const r = (await (await call('GET', `/operations/${OP}/uploads/${uploadId}`, token)).json()) as Receipt;
      if (ready(r)) return r;
      await new Promise((ok) => setTimeout(ok, 50));
    }
    throw new Error('the upload never reached the expected state');
  }

  async function rollup(): Promise<RollupView> {
    await stack.settled();
    return (await (
      await call('GET', `/operations/${OP}/rollup`, stack.tokens.coordinator)
    ).json()) as RollupView;
  }

  beforeAll(async () => {
    stack = await freshStack();
  });
  afterAll(async () => {
    await stack.dispose();
  });

  it('gives an agency a slot for its own country, and a receipt once the file lands', async () => {
    const token = await stack.tokens.agency('KE');
    const s = await slot(token);
    expect(s.key).toMatch(new RegExp(`^incoming/${OP}/KE/${s.uploadId}/return.csv$`));
    const content = 'date,metric,value\n2025-11-12,arrests,7\n';
    expect(await post(s, content)).toBeLessThan(300);
    const r = await receiptWhen(token, s.uploadId, (x) => x.submission?.status === 'accepted');
    expect(r.receipt).toMatchObject({
      uploadId: s.uploadId,
      size: Buffer.byteLength(content),
      sha256: createHash('sha256').update(content).digest('hex'),
    });
    expect((await rollup()).byCountry.KE?.arrests).toBe(7);
  });

  it('orders uploads by slot, not by arrival: the later slot wins even when its file lands first', async () => {
    const token = await stack.tokens.agency('GH');
    const first = await slot(token);
    const second = await slot(token);
    expect(second.sequence).toBeGreaterThan(first.sequence);
    await post(second, 'date,metric,value\n2025-11-12,arrests,2\n');
    await receiptWhen(token, second.uploadId, (x) => x.submission?.status === 'accepted');
    await post(first, 'date,metric,value\n2025-11-12,arrests,1\n');
    const r = await receiptWhen(token, first.uploadId, (x) => x.submission?.status === 'superseded');
    expect(r.submission?.status).toBe('superseded');
    expect((await rollup()).byCountry.GH?.arrests).toBe(2);
  });

  it('keeps the first file of a slot: a second presigned POST is refused 409 and counts nothing', async () => {
    const token = await stack.tokens.agency('UG');
    const s = await slot(token);
    const first = 'date,metric,value\n2025-11-12,arrests,4\n';
    expect(await post(s, first)).toBeLessThan(300);
    await receiptWhen(token, s.uploadId, (x) => x.submission?.status === 'accepted');

    const form = new FormData();
    for (const [k, v] of Object.entries(s.upload.fields)) form.append(k, v);
    form.append('file', new Blob(['date,metric,value\n2025-11-12,arrests,400\n']), 'return.csv');
    const second = await fetch(s.upload.url, { method: 'POST', body: form });

    expect(second.status).toBe(409);
    expect(await second.text()).toContain('<Code>SlotAlreadyUsed</Code>');
    const r = await receiptWhen(token, s.uploadId, (x) => x.submission?.status === 'accepted');
    expect(r.receipt?.sha256).toBe(createHash('sha256').update(first).digest('hex'));
    expect((await rollup()).byCountry.UG?.arrests).toBe(4);
  });

  it('refuses a slot for another country, and to coordinators', async () => {
    const agency = await stack.tokens.agency('KE');
    expect(
      (await call('POST', `/operations/${OP}/uploads`, agency, { fileName: 'r.csv', country: 'BR' })).status,
    ).toBe(403);
    expect(
      (
        await call('POST', `/operations/${OP}/uploads`, stack.tokens.coordinator, {
          fileName: 'r.csv',
          country: 'BR',
        })
      ).status,
    ).toBe(403);
  });

  it('lets an admin take a slot for any country, naming it', async () => {
    const s = await slot(stack.tokens.admin, { fileName: 'r.csv', country: 'BR' });
    expect(s.key).toContain('/BR/');
    expect(
      (await call('POST', `/operations/${OP}/uploads`, stack.tokens.admin, { fileName: 'r.csv' })).status,
    ).toBe(400);
  });

  it('refuses a slot for a file that is not a return', async () => {
    const res = await call('POST', `/operations/${OP}/uploads`, await stack.tokens.agency('KE'), {
      fileName: 'macro.xlsm',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error).toBe('unsupported-format');
  });

  it('dry-runs a file in the body: the full report and figures, and nothing changes', async () => {
    const before = await rollup();
    const token = await stack.tokens.agency('SN');
    const res = await call(
      'POST',
      `/operations/${OP}/validate?fileName=r.csv`,
      token,
      'date,metric,value\n2025-11-12,arrests,3\n2025-11-13,arrests,x\n',
      { 'content-type': 'text/csv' },
    );
    const body = (await res.json()) as DryRunResult;
    expect(body.report.verdict).toBe('rejected');
    expect(body.report.problems[0]).toMatchObject({ code: 'bad-value', row: 3 });
    const ok = (await (
      await call(
        'POST',
        `/operations/${OP}/validate?fileName=r.csv`,
        token,
        'date,metric,value\n2025-11-12,arrests,3\n',
        { 'content-type': 'text/csv' },
      )
    ).json()) as DryRunResult;
    expect(ok.figures?.totals.arrests).toBe(3);
    // The default stays the full form the CLI has always read, breakdowns included.
    expect(ok.figuresDetail).toBe('full');
    expect(ok.figures).toHaveProperty('byDayBreakdown');
    const after = await rollup();
    expect(after.version).toBe(before.version);
    expect(after.byCountry.SN).toBeUndefined();
    const subs = (await (await call('GET', `/operations/${OP}/submissions`, token)).json()) as SubmissionPage;
    expect(subs.submissions).toEqual([]);
  });

  it('dry-runs a file uploaded to a dry-run slot, without ingesting it', async () => {
    const token = await stack.tokens.agency('SN');
    const s = await slot(token, { fileName: 'big.csv', dryRun: true });
    expect(s.key.startsWith(`dryrun/${OP}/SN/`)).toBe(true);
    await post(s, 'date,metric,value\n2025-11-12,arrests,4\n');
    const res = await call('POST', `/operations/${OP}/validate?uploadId=${s.uploadId}&output=text`, token);
    expect(await res.text()).toMatch(/^big\.csv: ACCEPTED/);
    expect((await rollup()).byCountry.SN).toBeUndefined();
  });

  it('serves a submission report as readable text', async () => {
    const token = await stack.tokens.agency('TG');
    const s = await slot(token);
    await post(s, 'date,metric,value\n2025-11-12,arests,1\n');
    await receiptWhen(token, s.uploadId, (x) => x.submission?.status === 'rejected');
    const subs = (await (await call('GET', `/operations/${OP}/submissions`, token)).json()) as SubmissionPage;
    const text = await (
      await call('GET', `/operations/${OP}/submissions/${subs.submissions[0]?.id}?format=text`, token)
    ).text();
    expect(text).toContain('Row 2, column metric: "arests"');
    expect(text).toContain('Did you mean "arrests"?');
  });
});

describe('figures answers that fit a Lambda response', () => {
  /** Lowered from 5.5 MB so that a return of a few kilobytes is "too large" in full. */
  const LIMIT = 4096;
  let stack: Awaited<ReturnType<typeof freshStack>>;
  let token: string;

  /** A whole return for the window: every day, the flow's total and each of its breakdowns. */
  function largeReturn(): string {
    const values = [
      'sexual_exploitation',
      'forced_labour',
      'forced_criminality',
      'domestic_servitude',
      'organ_removal',
      'other',
    ];
    const builder = aReturn();
    for (let day = 10; day <= 21; day++) {
      const date = `2025-11-${day}`;
      builder.withRow(date, 'arrests', day).withRow(date, 'victims_safeguarded', values.length * 2);
      for (const value of values) builder.withRow(date, 'victims_safeguarded', 2, `exploitation=${value}`);
    }
    return builder.csv();
  }

  const call = (method: string, path: string, body?: string) =>
    fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body,
    });

  beforeAll(async () => {
    stack = await freshStack({ api: { figuresAnswerLimit: LIMIT } });
    token = await stack.tokens.agency('SN');
  });
  afterAll(async () => {
    await stack.dispose();
  });

  it('refuses a full dry run too large for an answer, saying to ask for the summary', async () => {
    const res = await call('POST', `/operations/${OP}/validate?fileName=r.csv`, largeReturn());

    expect(res.status).toBe(422);
    const body = (await res.json()) as ErrorBody;
    expect(body.error).toBe('figures-too-large');
    expect(body.message).toMatch(/\?figures=summary/);
  });

  it('answers the dry run of the same return with totals and per-day figures under figures=summary', async () => {
    const res = await call(
      'POST',
      `/operations/${OP}/validate?fileName=r.csv&figures=summary`,
      largeReturn(),
    );

    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.length).toBeLessThan(LIMIT);
    const body = JSON.parse(text) as DryRunResult;
    expect(body.report.verdict).toBe('accepted');
    expect(body.figuresDetail).toBe('summary');
    expect(body.figures?.totals).toMatchObject({ arrests: 186, victims_safeguarded: 144 });
    expect(Object.keys(body.figures?.byDay ?? {})).toHaveLength(12);
    expect(body.figures).not.toHaveProperty('byBreakdown');
    expect(body.figures).not.toHaveProperty('byDayBreakdown');
  });

  it("answers a country's figures as a summary, and refuses them in full, once that return counts", async () => {
    const slot = (await (
      await fetch(`${stack.apiUrl}/operations/${OP}/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ fileName: 'return.csv' }),
      })
    ).json()) as UploadSlot;
    const form = new FormData();
    for (const [k, v] of Object.entries(slot.upload.fields)) form.append(k, v);
    form.append('file', new Blob([largeReturn()], { type: 'text/csv' }), 'return.csv');
    expect((await fetch(slot.upload.url, { method: 'POST', body: form })).ok).toBe(true);
    await stack.settled();

    const summary = await call('GET', `/operations/${OP}/countries/SN?figures=summary`);
    const full = await call('GET', `/operations/${OP}/countries/SN`);

    expect(summary.status).toBe(200);
    const country = (await summary.json()) as CountryView;
    expect(country).toMatchObject({ reported: true, figuresDetail: 'summary', totals: { arrests: 186 } });
    expect(country).not.toHaveProperty('byDayBreakdown');
    expect(full.status).toBe(422);
    expect(((await full.json()) as ErrorBody).error).toBe('figures-too-large');
  });

  it('refuses a figures detail that is neither summary nor full', async () => {
    const res = await call('GET', `/operations/${OP}/countries/SN?figures=some`);

    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).message).toMatch(/figures=summary/);
  });
});

describe('an upload that never arrives', () => {
  let stack: Awaited<ReturnType<typeof freshStack>>;
  let token: string;
  /** The API's clock: moved forward by the tests. */
  let now = new Date('2025-11-13T08:00:00Z');

  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const newSlot = async () =>
    (await (
      await call('POST', `/operations/${OP}/uploads`, { fileName: 'return.csv' })
    ).json()) as UploadSlot;
  const stateOf = async (uploadId: string) =>
    (await (await call('GET', `/operations/${OP}/uploads/${uploadId}`)).json()) as UploadStatus;
  const later = (slot: UploadSlot, minutes: number) => {
    now = new Date(Date.parse(slot.expiresAt) + minutes * 60_000);
  };

  beforeAll(async () => {
    stack = await freshStack({ api: { now: () => now } });
    token = await stack.tokens.agency('KE');
  });
  afterAll(async () => {
    await stack.dispose();
  });

  it('is waiting while its slot may still be used, and for an hour after it expires', async () => {
    const slot = await newSlot();

    const open = await stateOf(slot.uploadId);
    later(slot, 59);
    const justExpired = await stateOf(slot.uploadId);

    expect(open).toMatchObject({ state: 'waiting', receipt: null, submission: null });
    expect(justExpired.state).toBe('waiting');
  });

  it('is abandoned once no file arrived before the slot expired: nothing stored, nothing counted', async () => {
    const slot = await newSlot();

    later(slot, 61);
    const status = await stateOf(slot.uploadId);

    expect(status).toMatchObject({ state: 'abandoned', receipt: null, submission: null, submissions: [] });
    expect(status.stateReason).toContain('No file arrived before the slot expired');
    expect(await stack.objects.list(`incoming/${OP}/KE/${slot.uploadId}/`)).toEqual([]);
    expect(await stack.repo.getCountry(OP, 'KE')).toBeNull();
  });

  it('stays received, never abandoned, when its file landed', async () => {
    const slot = await newSlot();
    const form = new FormData();
    for (const [k, v] of Object.entries(slot.upload.fields)) form.append(k, v);
    form.append('file', new Blob(['date,metric,value\n2025-11-12,arrests,2\n']), 'return.csv');
    expect((await fetch(slot.upload.url, { method: 'POST', body: form })).ok).toBe(true);
    await stack.settled();

    later(slot, 24 * 60);
    const status = await stateOf(slot.uploadId);

    expect(status.state).toBe('received');
    expect(status.receipt?.uploadId).toBe(slot.uploadId);
  });

  it('lists an abandoned upload in the ledger under verdict=abandoned, and never a slot whose file landed', async () => {
    const unused = await newSlot();
    const used = await newSlot();
    const form = new FormData();
    for (const [k, v] of Object.entries(used.upload.fields)) form.append(k, v);
    form.append('file', new Blob(['date,metric,value\n2025-11-12,arrests,3\n']), 'return.csv');
    expect((await fetch(used.upload.url, { method: 'POST', body: form })).ok).toBe(true);
    await stack.settled();
    later(used, 61);

    const page = (await (
      await fetch(`${stack.apiUrl}/operations/${OP}/ledger?verdict=abandoned&country=KE`, {
        headers: { authorization: `Bearer ${stack.tokens.auditor}` },
      })
    ).json()) as LedgerPage;

    const listed = page.abandoned?.map((a) => a.uploadId) ?? [];
    expect(listed).toContain(unused.uploadId);
    expect(listed).not.toContain(used.uploadId);
    expect(page.abandoned?.find((a) => a.uploadId === unused.uploadId)).toMatchObject({
      status: 'abandoned',
      country: 'KE',
      reason: expect.stringContaining('nothing was stored and nothing counts'),
    });
    expect(page.entries).toEqual([]);
  });
});
