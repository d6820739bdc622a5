import type { NotificationRecord, RemindersResult } from '../shared/api/responses.ts';
import { API } from '../shared/api/routes.ts';
import type { Locale } from '../shared/i18n/locale.ts';
import { type MessageKey, type Params, renderMessage } from '../shared/i18n/render.ts';
import type { ApiClient } from './api-client.ts';
import { connect, type GlobalOptions, type Outcome } from './context.ts';
import { EXIT } from './errors.ts';
import { loadCliLocale } from './lang.ts';
import { table } from './table.ts';

export type RemindOptions = { operation?: string; preview?: boolean };

/** One operation's answer, with the outbox entries of the messages that failed to send. */
type Reminded = RemindersResult & { name: string; failures: NotificationRecord[] };

/**
 * `optally remind` (admins): handles today's cut-off of one operation, or of every open one, now —
 * a reminder to each participant that has not reported, a digest to each coordinator — or with
 * `--preview` lists those messages without sending or recording anything. Each message is sent
 * once: running it again (or the scheduled run later) sends nothing new. Exit 1 when a message
 * could not be sent (it stays in the outbox and is retried), else 0.
 */
export async function remind(
  opts: RemindOptions,
  globals: GlobalOptions & { lang?: string },
): Promise<Outcome> {
  const locale = await loadCliLocale(globals.lang);
  const client = await connect(globals, undefined);
  const preview = opts.preview === true;
  const operations = opts.operation
    ? [await client.call(API.getOperation, { params: { op: opts.operation } })].map((o) => ({
        id: o.definition.id,
        name: o.definition.name,
      }))
    : (await client.call(API.listOperations, {})).operations.filter((o) => o.status === 'open');
  if (operations.length === 0) {
    return {
      exitCode: EXIT.accepted,
      text: renderMessage('cli.remind.none-open', {}, locale),
      json: { operations: [] },
    };
  }
  const reminded: Reminded[] = [];
  for (const { id, name } of operations) {
    const result = await client.call(API.sendReminders, { params: { op: id }, body: { preview } });
    const failures = result.failed > 0 ? await failuresOf(client, result) : [];
    reminded.push({ ...result, name, failures });
  }
  const text = reminded.map((r) => describe(r, locale)).join('\n\n');
  const failed = reminded.some((r) => r.failed > 0);
  return {
    exitCode: failed ? EXIT.rejected : EXIT.accepted,
    text: `${text}\n`,
    json: { operations: reminded },
  };
}

/** The outbox entries of this answer's messages that failed (the first page of failures). */
async function failuresOf(client: ApiClient, result: RemindersResult): Promise<NotificationRecord[]> {
  const ids = new Set(result.runs.flatMap((run) => run.messages.map((m) => m.id)));
  const page = await client.call(API.listNotifications, {
    params: { op: result.operation },
    query: { status: 'failed', limit: 1000 },
  });
  return page.notifications.filter((n) => ids.has(n.id));
}

/** One operation's answer as text: per cut-off, its messages (a preview) or what became of them. */
function describe(r: Reminded, locale: Locale): string {
  const say = (key: MessageKey, params: Params = {}) => renderMessage(key, params, locale);
  if (r.runs.length === 0) return say('cli.remind.no-cutoff', { id: r.operation });
  const blocks = r.runs.map((run) => {
    const head = say('cli.remind.head', { name: r.name, id: r.operation, cutoff: shownTime(run.cutoff) });
    if (!r.preview) return head;
    const rows = run.messages.map((m) => [
      say('cli.remind.kind', { kind: m.kind }),
      m.country ?? '',
      m.to,
      m.locale,
      m.subject,
    ]);
    const columns = (['kind', 'country', 'to', 'language', 'subject'] as const).map((c) =>
      say(`cli.remind.column.${c}`),
    );
    const listing = rows.length > 0 ? `\n${table(columns, rows)}` : '';
    return `${head}${listing}\n${say('cli.remind.preview', { count: run.messages.length })}`;
  });
  if (r.preview) return blocks.join('\n\n');
  const lines = [
    ...blocks,
    r.queued + r.sent + r.failed === 0
      ? say('cli.remind.nothing-new')
      : say('cli.remind.result', { queued: r.queued, sent: r.sent, failed: r.failed }),
  ];
  if (r.failures.length > 0) {
    const columns = (['to', 'subject', 'attempts', 'error'] as const).map((c) =>
      say(`cli.remind.column.${c}`),
    );
    const rows = r.failures.map((n) => [n.to, n.subject, String(n.attempts), n.lastError ?? '']);
    lines.push(say('cli.remind.failed-head', { id: r.operation }), table(columns, rows, [2]));
  }
  return lines.join('\n');
}

/** `2025-11-14T18:00:00.000Z` → `2025-11-14 18:00 UTC`: the same in every language. */
function shownTime(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}
