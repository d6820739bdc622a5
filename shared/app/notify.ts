import type { MailSender } from '../adapters/mail.ts';
import type { ObjectStore } from '../adapters/objects.ts';
import type { Repository } from '../adapters/repository.ts';
import { defaultLog, type Log } from '../adapters/telemetry.ts';

/** One message planned for one recipient: its id is deterministic, so it is queued at most once. */
export type PlannedMessage = {
  id: string;
  kind: 'reminder' | 'digest' | 'verdict';
  to: string;
  locale: string;
  subject: string;
  text: string;
  country?: string;
};

/** A message in the outbox, with where its sending stands. */
export type NotificationRecord = PlannedMessage & {
  status: 'queued' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  queuedAt: string;
  sentAt: string | null;
};

/** What one cut-off of one operation planned and what became of it. */
export type CutoffRun = {
  operation: string;
  /** The cut-off's time (ISO, UTC). */
  cutoff: string;
  messages: PlannedMessage[];
  queued: number;
  sent: number;
  failed: number;
};

/** What the notifier needs from the outside world. */
export type NotifyDeps = {
  repo: Repository;
  objects: ObjectStore;
  send: MailSender;
  /** The sender address when the definition names none. */
  from: string;
  /** The dashboard's address, for the links in the mails (none: the API path is given). */
  dashboardUrl?: string | undefined;
  log: Log;
};

/** The notifier's dependencies from the clients and settings the other handlers use. */
export function notifyDeps(parts: {
  repo: Repository;
  objects: ObjectStore;
  send: MailSender;
  from: string;
  dashboardUrl?: string | undefined;
  log?: Log | undefined;
}): NotifyDeps {
  return { ...parts, log: parts.log ?? defaultLog() };
}

/**
 * Handles every due daily cut-off of every open operation (or of `options.operation`) once:
 * plans the reminders and digests, queues them (never twice for one cut-off), then sends.
 * `preview` plans without writing or sending; `sendNow` handles today's cut-off now.
 */
export async function runCutoffs(
  _deps: NotifyDeps,
  _now: Date,
  _options: { operation?: string; sendNow?: boolean; preview?: boolean } = {},
): Promise<CutoffRun[]> {
  return [];
}

/** Sends the queued and failed messages whose retry time has come; never throws for a failed send. */
export async function sendQueued(_deps: NotifyDeps, _now: Date): Promise<{ sent: number; failed: number }> {
  return { sent: 0, failed: 0 };
}

/** Queues and sends the verdict mail of one stored report (`reports/{op}/{cc}/{id}.json`). */
export async function notifyVerdict(_deps: NotifyDeps, _reportKey: string, _now: Date): Promise<void> {}

/** The outbox of an operation, newest first, optionally of one status; paged by `cursor`. */
export async function listNotifications(
  _deps: NotifyDeps,
  _operation: string,
  _query: { status?: 'queued' | 'sent' | 'failed'; limit?: number; cursor?: string },
): Promise<{ items: NotificationRecord[]; cursor: string | null }> {
  return { items: [], cursor: null };
}
