/**
 * The notifier's messages as data: what is planned for whom, and what became of it in the
 * outbox. Every message has an id made from what it is about (operation, cut-off or submission,
 * kind, country, address), never from when it was planned: planning twice yields the same ids, so
 * a conditional write queues each message once however often a cut-off is run.
 */

/** The kinds of message the notifier sends. */
export type MessageKind = 'reminder' | 'digest' | 'verdict';

/** One message planned for one recipient. */
export type PlannedMessage = {
  /** `{op}#{time}#{kind}#…`: see `reminderId`, `digestId`, `verdictId`. */
  id: string;
  kind: MessageKind;
  to: string;
  /** The language it is written in (en, fr, es, ar). */
  locale: string;
  subject: string;
  /** Plain text. */
  text: string;
  /** The country it is about (reminders and verdicts). */
  country?: string;
};

/** Where an outbox message stands: waiting for its first try, sent, or failed (retried later). */
export type NotificationStatus = 'queued' | 'sent' | 'failed';

/** A message in the outbox, with where its sending stands. */
export type NotificationRecord = PlannedMessage & {
  status: NotificationStatus;
  attempts: number;
  lastError: string | null;
  queuedAt: string;
  sentAt: string | null;
};

/** A reminder's id: one per cut-off, country and address. */
export function reminderId(op: string, cutoff: string, country: string, address: string): string {
  return `${op}#${cutoff}#reminder#${country}#${address.toLowerCase()}`;
}

/** A digest's id: one per cut-off and coordinator address. */
export function digestId(op: string, cutoff: string, address: string): string {
  return `${op}#${cutoff}#digest#${address.toLowerCase()}`;
}

/**
 * A verdict mail's id: one per submission and address. The time is when S3 received the file
 * (fixed for the submission), so ids sort by upload time like the cut-offs' by theirs.
 */
export function verdictId(op: string, receivedAt: string, submissionId: string, address: string): string {
  return `${op}#${receivedAt}#verdict#${submissionId}#${address.toLowerCase()}`;
}

/** The time an id carries (a cut-off or a receipt time, ISO): the outbox sorts by it. */
export function idTime(op: string, id: string): string {
  return id.slice(op.length + 1).split('#', 1)[0] ?? '';
}

/** Sends are tried this many times at most; the message then stays `failed`, visible to admins. */
export const MAX_SEND_ATTEMPTS = 12;

/** How long a send is held by the run that claimed it; after this another run may try it. */
export const SEND_LEASE_MS = 2 * 60_000;

/**
 * The wait before the next try after `attempts` failed ones: 1, 2, 4 … minutes, at most an hour,
 * so a mail server down for a morning is caught up within the hour after it comes back, and
 * twelve tries span about seven hours.
 */
export function retryDelayMs(attempts: number): number {
  return Math.min(60 * 60_000, 60_000 * 2 ** Math.max(0, attempts - 1));
}
