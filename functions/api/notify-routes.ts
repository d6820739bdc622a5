import { API } from '../../shared/api/contract.ts';
import { NOTIFICATION_STATUSES } from '../../shared/api/contract-notify.ts';
import type { NotificationPage, RemindersResult } from '../../shared/api/responses.ts';
import type { NotifyDeps } from '../../shared/app/notify.ts';
import { type ApiRequest, type ApiResponse, HttpError, json, msg } from './http.ts';
import { type ApiDeps, allow, bodyOf, nowOf, operationOr404, pageLimit } from './route-kit.ts';

/**
 * POST /operations/{op}/reminders `{ "preview": true|false }` (admins): today's cut-off of the
 * operation handled now — reminders to the participants that have not reported, digests to the
 * coordinators. A preview answers the planned messages and records and sends nothing; otherwise
 * each message is queued once (never twice for one cut-off, so the scheduled run sends nothing new)
 * and sent, a failed send staying in the outbox for the notifier's retries.
 */
export async function sendReminders(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  allow(req, { kind: 'manage-operation' });
  const record = await operationOr404(req, deps);
  const { preview } = bodyOf(req, API.sendReminders.body);
  const operation = record.definition.id;
  const [notify, { runCutoffs }] = await Promise.all([notifyOf(deps), import('../../shared/app/notify.ts')]);
  const runs = await runCutoffs(notify, nowOf(deps), { operation, sendNow: true, preview });
  const total = (count: 'queued' | 'sent' | 'failed') => runs.reduce((n, run) => n + run[count], 0);
  return json(200, {
    operation,
    preview,
    runs,
    queued: total('queued'),
    sent: total('sent'),
    failed: total('failed'),
  } satisfies RemindersResult);
}

/**
 * GET /operations/{op}/notifications?status=&limit=&cursor= (admins): the operation's outbox,
 * newest first — every reminder, digest and verdict mail, a failed one with its last error.
 */
export async function notifications(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  allow(req, { kind: 'manage-operation' });
  const record = await operationOr404(req, deps);
  const status = req.query.status;
  if (status !== undefined && !isNotificationStatus(status)) {
    throw new HttpError(
      'bad-request',
      msg('error.invalid-body.one-of', { field: 'status', values: NOTIFICATION_STATUSES.join(', ') }),
    );
  }
  const operation = record.definition.id;
  const [notify, { listNotifications }] = await Promise.all([
    notifyOf(deps),
    import('../../shared/app/notify.ts'),
  ]);
  const page = await listNotifications(notify, operation, {
    ...(status ? { status } : {}),
    limit: pageLimit(req),
    ...(req.query.cursor ? { cursor: req.query.cursor } : {}),
  });
  return json(200, {
    operation,
    notifications: page.items,
    cursor: page.cursor,
  } satisfies NotificationPage);
}

function isNotificationStatus(value: string): value is (typeof NOTIFICATION_STATUSES)[number] {
  return (NOTIFICATION_STATUSES as readonly string[]).includes(value);
}

/**
 * The notifier's dependencies, made on first use; the deployment (and the local stack) always
 * gives the API them. The notifier's code is imported by these routes only (a lazy chunk).
 */
function notifyOf(deps: ApiDeps): Promise<NotifyDeps> {
  if (!deps.notify) {
    throw new Error(
      'The api function has no mail settings (ApiDeps.notify): the deployment sets MAIL_FROM and the local stack its SMTP server.',
    );
  }
  return deps.notify();
}
