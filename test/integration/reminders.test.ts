import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeNotifyHandler } from '../../functions/notify/notify.ts';
import { readMailbox } from '../../local/mail-server.ts';
import { listNotifications } from '../../shared/app/notify.ts';
import type { Operation } from '../../shared/domain/operation.ts';
import { LIBERTERRA_III_FILE } from '../support/builders.ts';
import { freshStack } from '../support/local-servers.ts';

/**
 * Reminders, digests and verdict mails on the local stack, read back from its real SMTP server's
 * mailbox. Liberterra III as shipped (119 participants, one address each, two coordinators, cut-off
 * 18:00 UTC), with one address added for Brazil that opted out of verdict mails. Brazil, Kenya
 * (which reports 0) and Morocco report through the pipeline; the other 116 do not.
 */
const OP = 'liberterra-iii';
const REPORTERS = ['BR', 'KE', 'MA'];
const OPTED_OUT = 'duty-br@liberterra-iii.example.org';
const COORDINATORS = [
  'coordination-centre@liberterra-iii.example.org',
  'duty-officer@liberterra-iii.example.org',
];

type Mail = { to: string; subject: string; text: string; id: string };

describe('reminders and notifications on the local stack', () => {
  let stack: Awaited<ReturnType<typeof freshStack>>;
  let operationsDir: string;
  let definition: Operation;

  /** Every message the SMTP server received, parsed from the saved files. */
  async function mailbox(): Promise<Mail[]> {
    const entries = await readMailbox(stack.mail.dir);
    return Promise.all(
      entries.map(async (e) => {
        const parsed = await simpleParser(await readFile(join(stack.mail.dir, e.file)));
        return {
          to: e.to.join(','),
          subject: parsed.subject ?? '',
          text: parsed.text ?? '',
          id: String(parsed.headers.get('x-optally-message-id') ?? ''),
        };
      }),
    );
  }
  const ofKind = (mails: Mail[], kind: string, cutoff: string) =>
    mails.filter((m) => m.id.startsWith(`${OP}#${cutoff}#${kind}#`));

  beforeAll(async () => {
    definition = JSON.parse(await readFile(LIBERTERRA_III_FILE, 'utf8')) as Operation;
    definition.participants
      .find((p) => p.code === 'BR')
      ?.contacts?.push({ address: OPTED_OUT, verdicts: false });
    operationsDir = await mkdtemp(join(tmpdir(), 'optally-reminders-'));
    await writeFile(join(operationsDir, `${OP}.json`), JSON.stringify(definition));
    stack = await freshStack({ operationsDir, mail: { intervalMs: false } });
    await stack.putReturn(
      `incoming/${OP}/BR/return.csv`,
      'date,metric,breakdown,value\n2025-11-12,arrests,,12\n',
    );
    await stack.putReturn(
      `incoming/${OP}/KE/return.csv`,
      'date,metric,breakdown,value\n2025-11-12,arrests,,0\n',
    );
    await stack.putReturn(
      `incoming/${OP}/MA/return.csv`,
      'date,metric,breakdown,value\n2025-11-12,arrests,,7\n',
    );
    await stack.settled();
    await stack.notifier.settled();
  });
  afterAll(async () => {
    await stack?.dispose();
    await rm(operationsDir, { recursive: true, force: true });
  });

  it('mails each upload’s verdict to its country’s addresses, in their language, except one that opted out', async () => {
    const verdicts = (await mailbox()).filter((m) => m.id.includes('#verdict#'));

    expect(verdicts.map((m) => m.to).sort()).toEqual([
      'ncb-br@liberterra-iii.example.org',
      'ncb-ke@liberterra-iii.example.org',
      'ncb-ma@liberterra-iii.example.org',
    ]);
    const morocco = verdicts.find((m) => m.to === 'ncb-ma@liberterra-iii.example.org');
    expect(morocco?.subject).toBe('عملية ليبرتيرا الثالثة: قُبل تقرير بلدكم (المغرب)');
    expect(morocco?.text).toContain(`${stack.apiUrl}/#/countries/MA`);
    expect(verdicts.some((m) => m.to === OPTED_OUT)).toBe(false);
  });

  it('at a cut-off, reminds each country that has not reported once, in its language, and digests for each coordinator', async () => {
    const cutoff = '2025-11-12T18:00:00.000Z';

    const result = await stack.notifier.run(new Date('2025-11-12T18:05:00Z'));

    const mails = await mailbox();
    const reminders = ofKind(mails, 'reminder', cutoff);
    const missing = definition.participants.filter((p) => !REPORTERS.includes(p.code));
    expect(result).toEqual({ cutoffs: 1, queued: missing.length + 2, sent: missing.length + 2, failed: 0 });
    expect(reminders.map((m) => m.to).sort()).toEqual(
      missing.map((p) => `ncb-${p.code.toLowerCase()}@liberterra-iii.example.org`).sort(),
    );
    expect(
      reminders.filter((m) => REPORTERS.some((cc) => m.to.startsWith(`ncb-${cc.toLowerCase()}@`))),
    ).toEqual([]);
    const to = (cc: string) => reminders.find((m) => m.to === `ncb-${cc}@liberterra-iii.example.org`);
    expect(to('sn')?.subject).toBe('Opération Liberterra III : déclaration nationale non reçue (Sénégal)');
    expect(to('jo')?.subject).toBe('عملية ليبرتيرا الثالثة: لم يصل التقرير الوطني لبلدكم (الأردن)');
    expect(to('mx')?.subject).toBe(
      'Operación Liberterra III: no se ha recibido el informe nacional de México',
    );
    expect(to('gb')?.subject).toBe(
      'Operation Liberterra III: the national return of United Kingdom has not been received',
    );
    const digests = ofKind(mails, 'digest', cutoff);
    expect(digests.map((m) => m.to).sort()).toEqual(COORDINATORS);
    const english = digests.find((m) => m.to === COORDINATORS[0]);
    expect(english?.subject).toBe(
      'Operation Liberterra III: daily digest of 12 November 2025: 3 of 119 countries reported',
    );
    expect(english?.text).toContain(
      'Reported since the previous cut-off (3): Brazil (BR), Kenya (KE), Morocco (MA)',
    );
    expect(english?.text).toContain('Not reported yet (116): ');
    expect(english?.text).toContain('Arrests: 19 (+19)');
    expect(digests.find((m) => m.to === COORDINATORS[1])?.subject).toBe(
      'Opération Liberterra III : synthèse du 12 novembre 2025 : 3 pays sur 119 ont déclaré',
    );
  });

  it('sends nothing new when the cut-off runs again, scheduled or sent now', async () => {
    const before = (await mailbox()).length;

    const again = await stack.notifier.run(new Date('2025-11-12T18:20:00Z'));
    const now = await stack.notifier.runCutoffs(new Date('2025-11-12T21:00:00Z'), { sendNow: true });

    expect(again).toEqual({ cutoffs: 0, queued: 0, sent: 0, failed: 0 });
    expect(now.map((r) => [r.cutoff, r.queued, r.sent])).toEqual([['2025-11-12T18:00:00.000Z', 0, 0]]);
    expect((await mailbox()).length).toBe(before);
  });

  it('with the mail server down, queues the cut-off’s mails and reports failures without throwing; a later run sends them', async () => {
    const cutoff = '2025-11-13T18:00:00.000Z';
    const before = (await mailbox()).length;
    await stack.mail.stop();

    const down = await stack.notifier.run(new Date('2025-11-13T18:05:00Z'));
    const failed = await listNotifications(stack.notifier.deps, OP, { status: 'failed', limit: 500 });
    const whileDown = (await mailbox()).length;
    await stack.mail.start();
    const later = await stack.notifier.run(new Date('2025-11-13T18:10:00Z'));

    expect(down).toEqual({ cutoffs: 1, queued: 118, sent: 0, failed: 118 });
    expect(failed.items).toHaveLength(118);
    expect(failed.items.every((m) => m.attempts === 1 && m.lastError !== null && m.id.includes(cutoff))).toBe(
      true,
    );
    expect(whileDown).toBe(before);
    expect(later).toEqual({ cutoffs: 0, queued: 0, sent: 118, failed: 0 });
    const mails = await mailbox();
    expect(ofKind(mails, 'reminder', cutoff)).toHaveLength(116);
    expect(ofKind(mails, 'digest', cutoff)).toHaveLength(2);
    const left = await listNotifications(stack.notifier.deps, OP, { status: 'failed', limit: 500 });
    expect(left.items).toEqual([]);
  });

  it('answers report events it could not handle as failures, to be retried, and sends nothing twice for the rest', async () => {
    const handler = makeNotifyHandler(stack.notifier.deps);
    const event = (key: string) => ({
      Records: [
        {
          eventSource: 'aws:s3',
          eventName: 'ObjectCreated:Put',
          eventTime: new Date().toISOString(),
          s3: { bucket: { name: stack.bucket }, object: { key } },
        },
      ],
    });
    const [sent] = (await stack.notifier.deps.repo.listSubmissions(OP, 'BR', { limit: 1 })).submissions;
    const before = (await mailbox()).length;

    const answer = await handler({
      Records: [
        { messageId: 'not-s3', body: 'not an S3 notification' },
        { messageId: 'gone', body: JSON.stringify(event(`reports/${OP}/BR/BR-gone.json`)) },
        { messageId: 'again', body: JSON.stringify(event(`reports/${OP}/BR/${sent?.id}.json`)) },
      ],
    } as unknown as SQSEvent);

    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'not-s3' }, { itemIdentifier: 'gone' }] });
    expect((await mailbox()).length).toBe(before);
  });

  it('lists every message of the outbox for admins, newest first, a page at a time, each sent once', async () => {
    const pages: Awaited<ReturnType<typeof listNotifications>>[] = [];
    let cursor: string | undefined;
    do {
      const page = await listNotifications(stack.notifier.deps, OP, { limit: 100, cursor });
      pages.push(page);
      cursor = page.cursor ?? undefined;
    } while (cursor);

    const items = pages.flatMap((p) => p.items);
    expect(pages.map((p) => p.items.length)).toEqual([100, 100, 39]);
    expect(items.map((m) => m.id)).toEqual(
      items
        .map((m) => m.id)
        .sort()
        .reverse(),
    );
    expect(items.every((m) => m.status === 'sent' && m.sentAt !== null)).toBe(true);
    expect((await mailbox()).length).toBe(items.length);
  });
});
