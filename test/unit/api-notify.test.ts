import { describe, expect, it } from 'vitest';
import { loadEvent } from '../../events/load-event.ts';
import { type ApiDeps, makeApiHandler } from '../../functions/api/routes.ts';
import { API as CONTRACT } from '../../shared/api/contract.ts';
import { NOTIFICATION_STATUSES, RemindersRequest } from '../../shared/api/contract-notify.ts';
import { API } from '../../shared/api/routes.ts';

/** Dependencies a request refused before any store is read must never reach. */
const untouched = new Proxy({} as ApiDeps, {
  get(_target, name) {
    throw new Error(`the handler used deps.${String(name)}`);
  },
});

/** A request of the API Gateway shape, by a caller in `groups` (Cognito groups). */
function request(method: 'GET' | 'POST', path: string, groups: string, body?: string) {
  const event = loadEvent('http-api-request');
  event.rawPath = path;
  event.requestContext.http.path = path;
  event.requestContext.http.method = method;
  event.rawQueryString = '';
  event.queryStringParameters = undefined;
  const claims = event.requestContext.authorizer.jwt.claims as Record<string, string>;
  claims['cognito:groups'] = `[${groups}]`;
  if (groups === 'agency') claims['custom:country'] = 'BR';
  if (body !== undefined) {
    event.body = body;
    event.headers = { ...event.headers, 'content-type': 'application/json' };
  }
  return event;
}

const reminders = '/operations/liberterra-iii/reminders';
const outbox = '/operations/liberterra-iii/notifications';

describe('the reminder and outbox routes', () => {
  it.each([
    ['agency', 'POST', reminders],
    ['coordinator', 'POST', reminders],
    ['auditor', 'POST', reminders],
    ['agency', 'GET', outbox],
    ['coordinator', 'GET', outbox],
    ['auditor', 'GET', outbox],
  ] as const)('refuse a %s (%s %s) 403 before reading anything', async (groups, method, path) => {
    const body = method === 'POST' ? '{"preview":true}' : undefined;

    const response = await makeApiHandler(untouched)(request(method, path, groups, body));

    expect(response.statusCode).toBe(403);
    expect(JSON.parse(String(response.body))).toMatchObject({
      error: 'forbidden',
      message: 'Only admins manage operations.',
    });
  });

  it('take reminders by POST only', async () => {
    const response = await makeApiHandler(untouched)(request('GET', reminders, 'admin'));

    expect(response.statusCode).toBe(405);
  });

  it('need preview said outright: sending is never what an empty body means', () => {
    expect(RemindersRequest.safeParse({ preview: true }).success).toBe(true);
    expect(RemindersRequest.safeParse({ preview: false }).success).toBe(true);
    expect(RemindersRequest.safeParse({}).success).toBe(false);
    expect(RemindersRequest.safeParse({ preview: 'yes' }).success).toBe(false);
  });

  it('are for admins only, in the contract and the clients’ list', () => {
    expect(CONTRACT.sendReminders.roles).toEqual(['admin']);
    expect(CONTRACT.listNotifications.roles).toEqual(['admin']);
    expect(API.sendReminders).toMatchObject({ method: 'POST', path: '/operations/{op}/reminders' });
    expect(API.listNotifications).toMatchObject({ method: 'GET', path: '/operations/{op}/notifications' });
    expect(NOTIFICATION_STATUSES).toEqual(['queued', 'sent', 'failed']);
  });
});
