import { Outbox, type OutboxMessage } from '../adapters/dynamo/outbox.ts';
import type { MailSender } from '../adapters/mail.ts';
import type { ObjectStore } from '../adapters/objects.ts';
import type { Repository } from '../adapters/repository.ts';
import { defaultLog, type Log } from '../adapters/telemetry.ts';
import type { OperationRecord } from '../domain/ledger.ts';
import { type CutoffRollup, planCutoff } from '../domain/notifications/cutoff-mail.ts';
import type { NotificationRecord, PlannedMessage } from '../domain/notifications/messages.ts';
import { cutoffOfDay, dueCutoff, previousCutoff } from '../domain/notifications/schedule.ts';
import { planVerdictMails } from '../domain/notifications/verdict-mail.ts';
import { rollup } from '../domain/rollup.ts';
import type { StoredReport } from '../domain/stored-report.ts';
import { SUPPORTED_LOCALES } from '../i18n/locale.ts';
import { loadLocales } from '../i18n/render.ts';
import { sendMessages } from './notify-send.ts';
import { readRollupAsOf } from './read-rollup.ts';

export type { NotificationRecord, PlannedMessage } from '../domain/notifications/messages.ts';

/** What one cut-off of one operation planned and what became of it. */
export type CutoffRun = {
  operation: string;
  /** The cut-off's time (ISO, UTC). */
  cutoff: string;
  /** Every message the cut-off plans (also those queued by an earlier run). */
  messages: PlannedMessage[];
  /** Messages queued by this run (0 when an earlier run queued them all). */
  queued: number;
  sent: number;
  failed: number;
};

/** What the notifier needs from the outside world. */
export type NotifyDeps = {
  repo: Repository;
  objects: ObjectStore;
  outbox: Outbox;
  send: MailSender;
  /** The sender address when the definition names none. */
  from: string;
  /** The dashboard's address, for the links in the mails (none: only the API path is given). */
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
  return {
    ...parts,
    outbox: new Outbox(parts.repo.db, parts.repo.table),
    log: parts.log ?? defaultLog(),
  };
}

/**
 * A verdict mail is sent for a report processed at most this long before: a report written again
 * much later (a rebuild, a replay) tells its agency nothing new.
 */
export const VERDICT_MAX_AGE_MS = 86_400_000;

/** Failed messages are tried again while their time (cut-off or upload) is at most this old. */
export const RETRY_HORIZON_MS = 3 * 86_400_000;

/**
 * Handles the due daily cut-off of every open operation (or of `options.operation`) once: plans
 * a reminder to each participant that has not reported and a digest to each coordinator, queues
 * them (a message already queued for this cut-off is not queued again), then sends those it
 * queued; a failed send stays queued, never throws. A cut-off once handled is skipped by the runs
 * that follow. `preview` plans without writing or sending; `sendNow` handles the cut-off of
 * `now`'s day now, so the scheduled run later that day sends nothing new.
 */
export async function runCutoffs(
  deps: NotifyDeps,
  now: Date,
  options: { operation?: string; sendNow?: boolean; preview?: boolean } = {},
): Promise<CutoffRun[]> {
  await loadLocales(SUPPORTED_LOCALES);
  const records = options.operation
    ? [await deps.repo.getOperation(options.operation)].filter((r): r is OperationRecord => r !== null)
    : await deps.repo.listOperations();
  const runs: CutoffRun[] = [];
  for (const record of records) {
    const op = record.definition;
    if (record.status !== 'open' || !op.notifications) continue;
    const cutoff = options.sendNow || options.preview ? cutoffOfDay(op, now) : dueCutoff(op, now);
    if (!cutoff) continue;
    const at = cutoff.toISOString();
    const scheduled = !options.sendNow && !options.preview;
    if (scheduled && (await deps.outbox.cutoffHandled(op.id, at))) continue;
    const messages = planCutoff({
      op,
      cutoff,
      current: await currentRollup(deps, op.id),
      previous: await rollupAsOf(deps, op.id, previousCutoff(cutoff)),
      links: { dashboardUrl: deps.dashboardUrl },
    });
    if (options.preview) {
      runs.push({ operation: op.id, cutoff: at, messages, queued: 0, sent: 0, failed: 0 });
      continue;
    }
    const from = op.notifications.from ?? deps.from;
    const queued = await deps.outbox.queue(
      op.id,
      messages.map((m) => ({ ...m, from })),
      now,
    );
    await deps.outbox.markCutoffHandled(op.id, at, now, messages.length);
    const tally = await sendMessages(
      deps,
      op.id,
      queued.map((m) => m.id),
      now,
    );
    deps.log({
      level: 'info',
      msg: 'cut-off handled',
      operation: op.id,
      cutoff: at,
      queued: queued.length,
      ...tally,
    });
    runs.push({ operation: op.id, cutoff: at, messages, queued: queued.length, ...tally });
  }
  return runs;
}

/**
 * Sends the queued and failed messages of every operation whose next try has come (each claimed
 * first, so two runs never send one twice); never throws for a failed send.
 */
export async function sendQueued(deps: NotifyDeps, now: Date): Promise<{ sent: number; failed: number }> {
  const total = { sent: 0, failed: 0 };
  const since = new Date(now.getTime() - RETRY_HORIZON_MS);
  for (const record of await deps.repo.listOperations()) {
    const op = record.definition.id;
    const ids = await deps.outbox.due(op, now, since);
    if (ids.length === 0) continue;
    const tally = await sendMessages(deps, op, ids, now);
    total.sent += tally.sent;
    total.failed += tally.failed;
  }
  return total;
}

/** A stored report's key: `reports/{op}/{cc}/{id}.json`. */
const REPORT_KEY = /^reports\/([^/]+)\/([A-Z]{2})\/([^/]+)\.json$/;

/**
 * Queues and sends the verdict mail of one stored report (`reports/{op}/{cc}/{id}.json`) to each
 * address of its country that has not opted out; once per submission and address, however often
 * the report's event arrives. Other keys, unknown operations and reports processed more than
 * `VERDICT_MAX_AGE_MS` before `now` are passed over. A failed send stays queued; a report that
 * cannot be read throws (the event is retried).
 */
export async function notifyVerdict(deps: NotifyDeps, reportKey: string, now: Date): Promise<void> {
  const match = REPORT_KEY.exec(reportKey);
  if (!match) return;
  const record = await deps.repo.getOperation(match[1] as string);
  if (!record) return;
  const stored = await deps.objects.getJson<StoredReport>(reportKey);
  if (!stored) throw new Error(`The report ${reportKey} of the event cannot be read.`);
  if (now.getTime() - Date.parse(stored.processedAt) > VERDICT_MAX_AGE_MS) {
    deps.log({ level: 'info', msg: 'verdict mail passed over: old report', key: reportKey });
    return;
  }
  await loadLocales(SUPPORTED_LOCALES);
  const op = record.definition;
  const from = op.notifications?.from ?? deps.from;
  const messages = planVerdictMails(op, stored, { dashboardUrl: deps.dashboardUrl });
  const queued = await deps.outbox.queue(
    op.id,
    messages.map((m) => ({ ...m, from })),
    now,
  );
  await sendMessages(
    deps,
    op.id,
    queued.map((m) => m.id),
    now,
  );
}

/** The outbox of an operation, newest first, optionally of one status; paged by `cursor`. */
export async function listNotifications(
  deps: NotifyDeps,
  operation: string,
  query: { status?: 'queued' | 'sent' | 'failed'; limit?: number; cursor?: string },
): Promise<{ items: NotificationRecord[]; cursor: string | null }> {
  const limit = Math.min(Math.max(1, query.limit ?? 50), 500);
  const page = await deps.outbox.list(operation, { status: query.status, limit, cursor: query.cursor });
  return { items: page.items.map(asRecord), cursor: page.cursor };
}

function asRecord(m: OutboxMessage): NotificationRecord {
  const { operation: _op, from: _from, nextAttemptAt: _next, ...record } = m;
  return record;
}

/** The figures now, computed from the country items (what the ingest last applied). */
async function currentRollup(deps: NotifyDeps, op: string): Promise<CutoffRollup> {
  const basis = await deps.repo.rollupBasis(op);
  if (!basis) throw new Error(`Operation ${op} disappeared while its cut-off was handled.`);
  return rollup(basis.record.definition, basis.states, basis.record.definitionVersion);
}

/** The figures current at `at` (the rollup history); null before the first. */
async function rollupAsOf(deps: NotifyDeps, op: string, at: Date): Promise<CutoffRollup | null> {
  const answer = await readRollupAsOf(deps, op, at);
  return typeof answer === 'object' && answer.kind === 'rollup'
    ? (JSON.parse(answer.body) as CutoffRollup)
    : null;
}
