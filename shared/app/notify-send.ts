import type { Outbox, OutboxMessage } from '../adapters/dynamo/outbox.ts';
import type { MailSender } from '../adapters/mail.ts';
import type { Log } from '../adapters/telemetry.ts';
import { retryDelayMs, SEND_LEASE_MS } from '../domain/notifications/messages.ts';

/** What sending needs: the outbox, the mail port, a log. */
export type SendStores = { outbox: Outbox; send: MailSender; log: Log };

/** What a round of sends did. */
export type SendTally = { sent: number; failed: number };

/** Messages sent at once: a few connections, well under the mail service's send rate. */
const SEND_CONCURRENCY = 4;

/**
 * Tries to send each of the messages `ids` of `op` once: each is claimed first (a message sent,
 * held by another run, or not yet due is skipped), then marked sent, or failed with its error and
 * its next try (backoff). A failed send never throws: the message stays in the outbox.
 */
export async function sendMessages(
  stores: SendStores,
  op: string,
  ids: readonly string[],
  now: Date,
): Promise<SendTally> {
  const tally: SendTally = { sent: 0, failed: 0 };
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++] as string;
      const claimed = await stores.outbox.claim(op, id, now, new Date(now.getTime() + SEND_LEASE_MS));
      if (!claimed) continue;
      if (await sendOne(stores, claimed, now)) tally.sent++;
      else tally.failed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(SEND_CONCURRENCY, ids.length) }, worker));
  return tally;
}

async function sendOne(stores: SendStores, m: OutboxMessage, now: Date): Promise<boolean> {
  try {
    await stores.send({
      from: m.from,
      to: m.to,
      subject: m.subject,
      text: m.text,
      // RFC 3834: no out-of-office answers to an automatic message.
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Optally-Message-Id': m.id },
    });
  } catch (e) {
    const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    const next = new Date(now.getTime() + retryDelayMs(m.attempts));
    await stores.outbox.markFailed(m.operation, m.id, error, next);
    stores.log({
      level: 'warn',
      msg: 'mail not sent; kept in the outbox',
      messageId: m.id,
      attempts: m.attempts,
      nextAttemptAt: next.toISOString(),
      error: error,
    });
    return false;
  }
  await stores.outbox.markSent(m.operation, m.id, now);
  return true;
}
