import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { INGEST_MAX_RECEIVES, INGEST_VISIBILITY_TIMEOUT_SECONDS } from '../shared/domain/ingest-timing.ts';

/** How the local queue behaves; the defaults mirror the deployed SQS queue. */
export type QueueOptions = {
  /** Where messages are journaled, so a restart loses none. */
  dir: string;
  /** The handler the messages go to (the ingest Lambda). */
  consumer: (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;
  batchSize?: number;
  /** Batches handled at once (Lambda's concurrency for the event source). */
  concurrency?: number;
  /** After this many receives without success, a message moves to the dead-letter queue. */
  maxReceives?: number;
  /** A failed message becomes visible again after this delay, doubled per attempt (capped). */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** A message whose handler has not answered within this time is delivered again. */
  visibilityTimeoutMs?: number;
  queueArn?: string;
  log?: (entry: Record<string, unknown>) => void;
};

type Message = { messageId: string; body: string; sentAt: number; receiveCount: number; visibleAt: number };

/**
 * An in-process queue with SQS semantics for the local stack: at-least-once delivery in batches,
 * a visibility timeout, retries with exponential backoff, partial batch failures, and a
 * dead-letter queue after `maxReceives`. Messages are journaled under `dir` (one file each) and
 * reloaded at start.
 */
export class LocalQueue {
  readonly #o: Required<Omit<QueueOptions, 'log'>> & Pick<QueueOptions, 'log'>;
  readonly #messages = new Map<string, Message>();
  readonly #dead: (Message & { reason: string })[] = [];
  #timer: NodeJS.Timeout | null = null;
  readonly #inFlight = new Set<Promise<void>>();
  #stopped = false;
  #idle: (() => void)[] = [];

  constructor(options: QueueOptions) {
    this.#o = {
      batchSize: 10,
      concurrency: 4,
      maxReceives: INGEST_MAX_RECEIVES,
      retryDelayMs: 200,
      maxRetryDelayMs: 5_000,
      visibilityTimeoutMs: INGEST_VISIBILITY_TIMEOUT_SECONDS * 1000,
      queueArn: 'arn:aws:sqs:us-east-1:000000000000:optally-ingest',
      ...options,
    };
  }

  /** Reloads journaled messages (from a previous run) and starts delivering. */
  async start(): Promise<void> {
    await mkdir(join(this.#o.dir, 'pending'), { recursive: true });
    await mkdir(join(this.#o.dir, 'dead'), { recursive: true });
    for (const name of await readdir(join(this.#o.dir, 'pending'))) {
      if (!name.endsWith('.json')) continue;
      const m = JSON.parse(await readFile(join(this.#o.dir, 'pending', name), 'utf8')) as Message;
      this.#messages.set(m.messageId, { ...m, visibleAt: 0 });
    }
    this.#schedule(0);
  }

  /** Enqueues a message body (durably: it is on disk before this resolves). */
  async send(body: string): Promise<string> {
    const m: Message = { messageId: randomUUID(), body, sentAt: Date.now(), receiveCount: 0, visibleAt: 0 };
    await writeFile(join(this.#o.dir, 'pending', `${m.messageId}.json`), JSON.stringify(m));
    this.#messages.set(m.messageId, m);
    this.#schedule(0);
    return m.messageId;
  }

  /** Messages waiting or in flight. */
  get depth(): number {
    return this.#messages.size;
  }

  /** Messages parked in the dead-letter queue, with the last failure. */
  get deadLetters(): readonly (Message & { reason: string })[] {
    return this.#dead;
  }

  /**
   * Moves every dead letter back to the queue with its receive count reset, as an SQS DLQ redrive
   * to the source queue does once the cause of the failures is fixed; returns how many moved.
   * (Dead letters of a previous run stay under `dead/`; only this run's are redriven.)
   */
  async redrive(): Promise<number> {
    const dead = this.#dead.splice(0);
    for (const { reason: _reason, ...m } of dead) {
      const message: Message = { ...m, receiveCount: 0, visibleAt: 0 };
      await writeFile(join(this.#o.dir, 'pending', `${m.messageId}.json`), JSON.stringify(message));
      await rm(join(this.#o.dir, 'dead', `${m.messageId}.json`), { force: true });
      this.#messages.set(m.messageId, message);
    }
    this.#schedule(0);
    return dead.length;
  }

  /** Resolves once no message is waiting or in flight. */
  drained(): Promise<void> {
    if (this.#messages.size === 0 && this.#inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Stops delivering; waits for the batch in flight. Undelivered messages stay journaled. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await Promise.all(this.#inFlight);
  }

  #schedule(delayMs: number): void {
    if (this.#stopped || this.#inFlight.size >= this.#o.concurrency) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#pump();
    }, delayMs);
  }

  /** Starts batches while messages are visible and concurrency allows. */
  #pump(): void {
    while (!this.#stopped && this.#inFlight.size < this.#o.concurrency) {
      const now = Date.now();
      const batch = [...this.#messages.values()]
        .filter((m) => m.visibleAt <= now)
        .slice(0, this.#o.batchSize);
      if (batch.length === 0) break;
      for (const m of batch) {
        m.receiveCount++;
        m.visibleAt = now + this.#o.visibilityTimeoutMs;
      }
      const running: Promise<void> = this.#deliver(batch).finally(() => {
        this.#inFlight.delete(running);
        this.#next();
      });
      this.#inFlight.add(running);
    }
    if (this.#inFlight.size === 0) this.#next();
  }

  #next(): void {
    if (this.#messages.size === 0) {
      if (this.#inFlight.size === 0) for (const resolve of this.#idle.splice(0)) resolve();
      return;
    }
    const soonest = Math.min(...[...this.#messages.values()].map((m) => m.visibleAt));
    this.#schedule(Math.max(0, soonest - Date.now()));
  }

  async #deliver(batch: Message[]): Promise<void> {
    let failed: Set<string>;
    let reason = 'the handler reported a batch item failure';
    try {
      const out = await this.#o.consumer({ Records: batch.map((m) => this.#record(m)) });
      failed = new Set((out?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (e) {
      // A thrown error fails the whole batch, as with Lambda's SQS event source.
      failed = new Set(batch.map((m) => m.messageId));
      reason = String(e);
    }
    for (const m of batch) {
      if (!failed.has(m.messageId)) {
        this.#messages.delete(m.messageId);
        await rm(join(this.#o.dir, 'pending', `${m.messageId}.json`), { force: true });
      } else if (m.receiveCount >= this.#o.maxReceives) {
        this.#messages.delete(m.messageId);
        this.#dead.push({ ...m, reason });
        await rename(
          join(this.#o.dir, 'pending', `${m.messageId}.json`),
          join(this.#o.dir, 'dead', `${m.messageId}.json`),
        ).catch(() => undefined);
        this.#o.log?.({
          level: 'error',
          msg: 'message moved to the dead-letter queue',
          messageId: m.messageId,
          receives: m.receiveCount,
        });
      } else {
        const delay = Math.min(this.#o.retryDelayMs * 2 ** (m.receiveCount - 1), this.#o.maxRetryDelayMs);
        m.visibleAt = Date.now() + delay;
        await writeFile(join(this.#o.dir, 'pending', `${m.messageId}.json`), JSON.stringify(m));
      }
    }
  }

  #record(m: Message): SQSRecord {
    return {
      messageId: m.messageId,
      receiptHandle: `${m.messageId}#${m.receiveCount}`,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        SenderId: 'AIDAS3NOTIFICATIONS',
        ApproximateFirstReceiveTimestamp: String(m.sentAt),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.#o.queueArn,
      awsRegion: 'us-east-1',
    };
  }
}
