/**
 * The contract's routes of reminders and notifications (admins): send the day's reminders and
 * digests now, or preview them, and read the outbox with its failures. `contract.ts` puts them
 * after the audit routes in `API`.
 */
import * as z from 'zod/mini';
import { OP, ok, oneOf, PAGE, route } from './contract-kit.ts';
import type * as R from './responses.ts';

/** The statuses of a message in the outbox, as `?status=` takes them. */
export const NOTIFICATION_STATUSES = ['queued', 'sent', 'failed'] as const;

/** `POST /operations/{op}/reminders`: preview, or send now. */
export const RemindersRequest = z.object({
  preview: z.boolean().register(z.globalRegistry, {
    description:
      '`true`: plan the messages and answer them, sending and recording nothing. `false`: send them now (required: sending is never a default).',
  }),
});

/** The reminder and outbox routes, by name. */
export const NOTIFY_API = {
  sendReminders: route<R.RemindersResult>()({
    name: 'sendReminders',
    method: 'POST',
    path: '/operations/{op}/reminders',
    auth: true,
    roles: ['admin'],
    tag: 'operations',
    summary:
      "Today's reminders (to each participant that has not reported) and digests: previewed, or sent now",
    description:
      "With `preview: true`, the messages the day's cut-off would send — recipient, language, subject and text — and nothing is sent or recorded. With `preview: false`, today's cut-off is handled now: each message is queued once (a message already queued for this cut-off is never queued again, so the scheduled run later that day sends nothing new) and sent; a failed send stays in the outbox (`GET …/notifications?status=failed`) and is retried by the notifier every 15 minutes.",
    params: { op: OP },
    body: { kind: 'json', schema: RemindersRequest, invalid: 'bad-request' },
    success: [ok('What each cut-off planned and, unless a preview, how many were queued, sent and failed.')],
    errors: ['bad-request', 'unknown-operation'],
  }),
  listNotifications: route<R.NotificationPage>()({
    name: 'listNotifications',
    method: 'GET',
    path: '/operations/{op}/notifications',
    auth: true,
    roles: ['admin'],
    tag: 'operations',
    summary:
      'The outbox: every reminder, digest and verdict mail, newest first, with failures and their errors',
    description: 'A message that failed keeps its last error and its attempts until a retry sends it.',
    params: { op: OP },
    query: z.object({
      status: oneOf(NOTIFICATION_STATUSES, 'Only the messages in this status.'),
      ...PAGE,
    }),
    success: [ok('One page of the outbox.')],
    errors: ['bad-request', 'unknown-operation'],
  }),
} as const;
