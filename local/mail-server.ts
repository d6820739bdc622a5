import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { makeNotifyHandler, type ScheduledResult, type SchedulerEvent } from '../functions/notify/notify.ts';
import { lambda, localContext } from '../shared/adapters/lambda.ts';
import { smtpMailSender } from '../shared/adapters/mail.ts';
import type { ObjectStore } from '../shared/adapters/objects.ts';
import type { Repository } from '../shared/adapters/repository.ts';
import type { Log } from '../shared/adapters/telemetry.ts';
import { type CutoffRun, type NotifyDeps, notifyDeps, runCutoffs, sendQueued } from '../shared/app/notify.ts';
import { LocalQueue } from './local-queue.ts';
import { notificationFor, type S3rverEvent } from './s3-notifications.ts';

/** One message the local SMTP server received, as its index (`index.jsonl`) lists it. */
export type MailboxEntry = {
  /** The message as received (RFC 5322), in the mail folder. */
  file: string;
  receivedAt: string;
  /** The envelope's sender and recipients. */
  from: string;
  to: string[];
  /** The decoded subject. */
  subject: string;
  size: number;
};

/** The index file of a mail folder: one JSON line (`MailboxEntry`) per message received. */
export const MAILBOX_INDEX = 'index.jsonl';

/** A real SMTP server on 127.0.0.1 that keeps every message it receives in a folder. */
export type LocalMailServer = {
  host: string;
  port: number;
  /** Where messages are saved: one `.eml` file each, and `index.jsonl`. */
  dir: string;
  /** Stops listening (a mail server that is down: sends fail). */
  stop: () => Promise<void>;
  /** Listens again, on the same port. */
  start: () => Promise<void>;
};

/**
 * Starts the local stand-in for Amazon SES: an SMTP server on 127.0.0.1 (a free port unless one is
 * given), no authentication or TLS, that saves every message it receives under `dir` as an `.eml`
 * file and a line of `index.jsonl`.
 */
export async function startMailServer(options: { dir: string; port?: number }): Promise<LocalMailServer> {
  const { dir } = options;
  await mkdir(dir, { recursive: true });
  const make = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      size: 10 * 1024 * 1024,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          save(dir, raw, {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
          }).then(() => callback(), callback);
        });
      },
    });
  let server = make();
  const listen = (port: number) =>
    new Promise<number>((ok, fail) => {
      server.once('error', fail);
      server.listen(port, '127.0.0.1', () => ok((server.server.address() as AddressInfo).port));
    });
  const port = await listen(options.port ?? 0);
  let running = true;
  return {
    host: '127.0.0.1',
    port,
    dir,
    stop: async () => {
      if (!running) return;
      running = false;
      await new Promise<void>((ok) => server.close(() => ok()));
    },
    start: async () => {
      if (running) return;
      server = make();
      await listen(port);
      running = true;
    },
  };
}

let saved = 0;

async function save(dir: string, raw: Buffer, envelope: { from: string; to: string[] }): Promise<void> {
  const receivedAt = new Date().toISOString();
  const file = `${receivedAt.replace(/[:.]/g, '-')}-${String(++saved).padStart(6, '0')}-${randomBytes(3).toString('hex')}.eml`;
  await writeFile(join(dir, file), raw);
  const parsed = await simpleParser(raw);
  const entry: MailboxEntry = {
    file,
    receivedAt,
    ...envelope,
    subject: parsed.subject ?? '',
    size: raw.length,
  };
  await appendFile(join(dir, MAILBOX_INDEX), `${JSON.stringify(entry)}\n`);
}

/** The messages a mail folder holds, in the order they were received (none before the first). */
export async function readMailbox(dir: string): Promise<MailboxEntry[]> {
  let text: string;
  try {
    text = await readFile(join(dir, MAILBOX_INDEX), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as MailboxEntry);
}

/** The local stack's notifier: what the Scheduler and the report queue do on AWS. */
export type LocalNotifier = {
  deps: NotifyDeps;
  /** What the scheduled run does at `now`: the due cut-offs, then the outbox's due sends. */
  run: (now?: Date) => Promise<ScheduledResult>;
  /** `runCutoffs` at `now` (preview, send now, one operation: see its options). */
  runCutoffs: (now: Date, options?: Parameters<typeof runCutoffs>[2]) => Promise<CutoffRun[]>;
  /** Sends what is due in the outbox at `now`. */
  sendQueued: (now?: Date) => Promise<{ sent: number; failed: number }>;
  /** The queue of report-created events the verdict mails come from. */
  queue: LocalQueue;
  /** Resolves once every queued report event has been handled. */
  settled: () => Promise<void>;
  stop: () => Promise<void>;
};

/** How the local notifier is set up. */
export type LocalNotifierOptions = {
  server: Pick<LocalMailServer, 'host' | 'port'>;
  repo: Repository;
  objects: ObjectStore;
  /** The dashboard's address, for the mails' links. */
  dashboardUrl: string;
  /** The report-created events' queue journal. */
  queueDir: string;
  log: Log;
  /** The handler's logger (the house middleware stack wraps it, as on Lambda). */
  logger: Logger;
  /** Runs `run()` this often (default every minute); `false`: only when called (tests). */
  intervalMs?: number | false;
  /** The sender when the definition names none. */
  from?: string;
  /** Listens for object events of the local S3 API. */
  onObjectEvent: (listener: (event: S3rverEvent) => void) => void;
};

/**
 * Starts the notifier of the local stack: the notify handler on a timer (what the Scheduler does
 * every 15 minutes on AWS), and report-created events (`reports/…`) through a queue of their own
 * into the same handler, for the verdict mails, sent to the local SMTP server. Ingest never waits
 * for any of it.
 */
export async function startLocalNotifier(o: LocalNotifierOptions): Promise<LocalNotifier> {
  const deps = notifyDeps({
    repo: o.repo,
    objects: o.objects,
    send: smtpMailSender({ host: o.server.host, port: o.server.port }),
    from: o.from ?? 'optally@localhost',
    dashboardUrl: o.dashboardUrl,
    log: o.log,
  });
  const wrapped = lambda(makeNotifyHandler(deps), { logger: o.logger });
  const handler = (event: SchedulerEvent | SQSEvent) =>
    wrapped(event, localContext('optally-notify', 300_000));
  const queue = new LocalQueue({
    dir: o.queueDir,
    consumer: async (event) => (await handler(event)) as SQSBatchResponse,
    queueArn: 'arn:aws:sqs:us-east-1:000000000000:optally-notify',
    retryDelayMs: 1_000,
    maxRetryDelayMs: 30_000,
    log: o.log,
  });
  await queue.start();
  const enqueuing = new Set<Promise<void>>();
  o.onObjectEvent((event) => {
    const created = event.Records.filter(
      (r) => r.eventName.startsWith('ObjectCreated:') && r.s3.object.key.startsWith('reports/'),
    );
    if (created.length === 0) return;
    const sending = queue
      .send(notificationFor({ Records: created }, 'optally-reports'))
      .then(() => undefined)
      .catch((e) => o.log({ level: 'error', msg: 'enqueue failed', error: e }));
    enqueuing.add(sending);
    void sending.finally(() => enqueuing.delete(sending));
  });
  // One run at a time: a slow mail server never piles up runs.
  let running: Promise<ScheduledResult> | null = null;
  const run = async (now: Date = new Date()): Promise<ScheduledResult> => {
    while (running) await running.catch(() => undefined);
    running = handler({ source: 'optally.scheduler', time: now.toISOString() }) as Promise<ScheduledResult>;
    try {
      return await running;
    } finally {
      running = null;
    }
  };
  const interval = o.intervalMs ?? 60_000;
  const timer =
    interval === false
      ? null
      : setInterval(() => {
          run().catch((e) => o.log({ level: 'error', msg: 'scheduled notifier run failed', error: e }));
        }, interval);
  timer?.unref();
  return {
    deps,
    run,
    runCutoffs: (now, options) => runCutoffs(deps, now, options),
    sendQueued: (now = new Date()) => sendQueued(deps, now),
    queue,
    settled: async () => {
      await Promise.all(enqueuing);
      await queue.drained();
    },
    stop: async () => {
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
      await queue.stop();
    },
  };
}
