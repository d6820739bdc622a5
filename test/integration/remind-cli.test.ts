import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailboxEntry, readMailbox } from '../../local/mail-server.ts';
import type {
  ErrorBody,
  NotificationPage,
  PlannedMessage,
  RemindersResult,
} from '../../shared/api/responses.ts';
import { anOperation } from '../support/builders.ts';
import { defineOn, freshStack } from '../support/local-servers.ts';
import { type Ran, runCli } from '../support/run-cli.ts';

const OP = 'remind-op';
const BIN = fileURLToPath(new URL('../../bin/optally.js', import.meta.url));
const DOMAIN = '@remind.example.org';

/**
 * A small operation with mail contacts: BR (Spanish) and FR (French, plus an English duty desk)
 * have not reported; KE reported 0, which counts as reported. Two coordinators, one reading Arabic.
 */
const operation = anOperation({
  id: OP,
  name: 'Operation Reminders',
  participants: [
    {
      code: 'BR',
      name: 'Brazil',
      region: 'Americas',
      language: 'es',
      contacts: [{ address: `ncb-br${DOMAIN}` }],
    },
    {
      code: 'FR',
      name: 'France',
      region: 'Europe',
      language: 'fr',
      contacts: [{ address: `ncb-fr${DOMAIN}` }, { address: `duty-fr${DOMAIN}`, language: 'en' }],
    },
    {
      code: 'KE',
      name: 'Kenya',
      region: 'Africa',
      contacts: [{ address: `ncb-ke${DOMAIN}`, verdicts: false }],
    },
  ],
  notifications: {
    cutoff: '18:00',
    coordinators: [{ address: `centre${DOMAIN}` }, { address: `veille${DOMAIN}`, language: 'ar' }],
  },
});

/** The reminders and digests `optally remind` sends for OP, and to whom, in which language. */
const EXPECTED = [
  { to: `ncb-br${DOMAIN}`, kind: 'reminder', locale: 'es', country: 'BR' },
  { to: `ncb-fr${DOMAIN}`, kind: 'reminder', locale: 'fr', country: 'FR' },
  { to: `duty-fr${DOMAIN}`, kind: 'reminder', locale: 'en', country: 'FR' },
  { to: `centre${DOMAIN}`, kind: 'digest', locale: 'en' },
  { to: `veille${DOMAIN}`, kind: 'digest', locale: 'ar' },
];
const byRecipient = <T extends { to: string }>(list: readonly T[]) =>
  [...list].sort((a, b) => a.to.localeCompare(b.to));

describe('optally remind against the local stack', () => {
  let stack: Awaited<ReturnType<typeof freshStack>>;
  let work: string;
  /** The messages the preview planned, by recipient. */
  let planned: Map<string, PlannedMessage>;

  function cli(args: string[]): Promise<Ran> {
    return runCli([process.execPath, BIN], [...args, '--api', stack.apiUrl], { cwd: work });
  }

  /** The messages the local SMTP server received for OP's addresses. */
  async function mailbox(): Promise<MailboxEntry[]> {
    return (await readMailbox(stack.mail.dir)).filter((m) => m.to.every((to) => to.endsWith(DOMAIN)));
  }

  async function api(method: 'GET' | 'POST', path: string, body?: unknown) {
    const res = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${stack.tokens.admin}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  }

  beforeAll(async () => {
    stack = await freshStack();
    work = await mkdtemp(join(tmpdir(), 'optally-remind-'));
    await defineOn(stack, operation);
    await stack.putReturn(`incoming/${OP}/KE/zero.csv`, 'date,metric,value\n2025-11-10,arrests,0\n');
    await stack.settled();
  });
  afterAll(async () => {
    await stack.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it('previews the reminders and digests without sending or recording anything', async () => {
    const run = await cli(['remind', '--operation', OP, '--preview', '--role', 'admin', '--json']);

    expect(run.code, run.stderr).toBe(0);
    const [answer] = (JSON.parse(run.stdout) as { operations: RemindersResult[] }).operations;
    expect(answer).toMatchObject({ operation: OP, preview: true, queued: 0, sent: 0, failed: 0 });
    const messages = answer?.runs.flatMap((r) => r.messages) ?? [];
    expect(
      byRecipient(messages).map(({ to, kind, locale, country }) => ({ to, kind, locale, country })),
    ).toEqual(byRecipient(EXPECTED).map((m) => ({ country: undefined, ...m })));
    for (const m of messages) expect(m.text.length, m.to).toBeGreaterThan(0);
    planned = new Map(messages.map((m) => [m.to, m]));
    // Each in its reader's language: no two reminders of one cut-off read the same.
    const reminders = messages.filter((m) => m.kind === 'reminder');
    expect(new Set(reminders.map((m) => m.subject)).size).toBe(reminders.length);
    expect(await mailbox()).toEqual([]);
    const outbox = await api('GET', `/operations/${OP}/notifications`);
    expect((outbox.body as NotificationPage).notifications).toEqual([]);
  });

  it('lists the planned messages as a table in the language asked for', async () => {
    const run = await cli(['remind', '--operation', OP, '--preview', '--role', 'admin', '--lang', 'fr']);

    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Operation Reminders (remind-op) · échéance ');
    expect(run.stdout).toMatch(/type\s+pays\s+destinataire\s+langue\s+objet/);
    expect(run.stdout).toMatch(/^relance +FR +ncb-fr@remind\.example\.org +fr +\S/m);
    expect(run.stdout).toMatch(/^synthèse +veille@remind\.example\.org +ar +\S/m);
    expect(run.stdout).toContain('Messages prévus : 5. Aperçu : rien n’a été envoyé ni enregistré');
  });

  it('sends them now: one reminder per address of each missing country in its language, one digest per coordinator, none to the country that reported 0', async () => {
    const run = await cli(['remind', '--operation', OP, '--role', 'admin']);

    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Queued now: 5 · sent: 5 · failed: 0.');
    const received = await mailbox();
    expect(received.flatMap((m) => m.to).sort()).toEqual(EXPECTED.map((m) => m.to).sort());
    expect(received.some((m) => m.to.includes(`ncb-ke${DOMAIN}`))).toBe(false);
    for (const entry of received) {
      const plan = planned.get(entry.to[0] ?? '');
      const mail = await simpleParser(await readFile(join(stack.mail.dir, entry.file)));
      expect(mail.subject, entry.to[0]).toBe(plan?.subject);
      expect(mail.text?.trim(), entry.to[0]).toBe(plan?.text.trim());
    }
  });

  it('sends nothing new when run again, and the outbox shows each message sent once', async () => {
    const run = await cli(['remind', '--operation', OP, '--role', 'admin']);

    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Nothing new to queue');
    expect((await mailbox()).length).toBe(EXPECTED.length);
    const sent = (await api('GET', `/operations/${OP}/notifications?status=sent`)).body as NotificationPage;
    expect(sent.notifications.map((n) => n.to).sort()).toEqual(EXPECTED.map((m) => m.to).sort());
    expect(sent.notifications.every((n) => n.attempts === 1 && n.lastError === null)).toBe(true);
  });

  it('exits 1 and lists what could not be sent when the mail server is down; the message stays queued', async () => {
    const down = 'remind-down';
    await defineOn(stack, {
      ...operation,
      id: down,
      participants: operation.participants.filter((p) => p.code === 'BR'),
      notifications: { cutoff: '18:00', coordinators: [] },
    });
    await stack.mail.stop();
    let run: Ran;
    try {
      run = await cli(['remind', '--operation', down, '--role', 'admin']);
    } finally {
      await stack.mail.start();
    }

    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain('Queued now: 1 · sent: 0 · failed: 1.');
    expect(run.stdout).toContain(`GET /operations/${down}/notifications?status=failed`);
    expect(run.stdout).toMatch(/^ncb-br@remind\.example\.org +\S.* 1 +\S/m);
    const failed = (await api('GET', `/operations/${down}/notifications?status=failed`))
      .body as NotificationPage;
    expect(failed.notifications.map((n) => [n.to, n.attempts])).toEqual([[`ncb-br${DOMAIN}`, 1]]);
    expect(failed.notifications[0]?.lastError).toBeTruthy();
  });

  it('is refused to a coordinator, saying only admins may', async () => {
    const run = await cli(['remind', '--operation', OP, '--preview', '--role', 'coordinator']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Only admins manage operations.');
  });

  it('refuses a body without preview and an unknown outbox status, saying what to send', async () => {
    const empty = await api('POST', `/operations/${OP}/reminders`, {});
    const status = await api('GET', `/operations/${OP}/notifications?status=lost`);

    expect(empty.status).toBe(400);
    expect((empty.body as ErrorBody).message).toContain('"preview"');
    expect(status.status).toBe(400);
    expect((status.body as ErrorBody).message).toBe('"status" must be one of queued, sent, failed.');
  });
});
