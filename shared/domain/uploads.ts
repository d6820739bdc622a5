import { createHash } from 'node:crypto';

/** One object-created notification, decoded. */
export type ObjectCreated = {
  bucket: string;
  /** The object key, URL-decoded (S3 events encode it, a space as "+"). */
  key: string;
  size: number | null;
  eTag: string | null;
  versionId: string | null;
  sequencer: string | null;
  /** When S3 received the object (millisecond ISO time). */
  eventTime: string;
};

/** What an SQS message body held: object-created records, or nothing of interest (and why). */
export type Notification = { records: ObjectCreated[]; ignored: string[] };

/**
 * Reads an S3 notification (as delivered in an SQS message body). `s3:TestEvent` messages and
 * non-ObjectCreated records are ignored; a body that is not an S3 notification throws (a poison
 * message: it goes to the DLQ).
 */
export function parseS3Notification(body: string): Notification {
  const doc = JSON.parse(body) as { Event?: string; Records?: unknown };
  if (doc.Event === 's3:TestEvent') return { records: [], ignored: ['s3:TestEvent'] };
  if (!Array.isArray(doc.Records))
    throw new Error('The message is not an S3 event notification (no Records).');
  const records: ObjectCreated[] = [];
  const ignored: string[] = [];
  for (const r of doc.Records as S3Record[]) {
    if (r.eventSource !== 'aws:s3' || !String(r.eventName).startsWith('ObjectCreated:')) {
      ignored.push(`${r.eventSource} ${r.eventName}`);
      continue;
    }
    records.push({
      bucket: r.s3.bucket.name,
      key: decodeS3Key(r.s3.object.key),
      size: r.s3.object.size ?? null,
      eTag: r.s3.object.eTag ?? null,
      versionId: r.s3.object.versionId ?? null,
      sequencer: r.s3.object.sequencer ?? null,
      eventTime: new Date(r.eventTime).toISOString(),
    });
  }
  return { records, ignored };
}

type S3Record = {
  eventSource: string;
  eventName: string;
  eventTime: string;
  s3: {
    bucket: { name: string };
    object: { key: string; size?: number; eTag?: string; versionId?: string; sequencer?: string };
  };
};

/** S3 notifications URL-encode keys with "+" for a space. */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

/**
 * The inverse of `decodeS3Key`, as S3 writes keys into notifications: form encoding (a space as
 * "+", parentheses and the like escaped, e.g. "test (1).csv" → "test+%281%29.csv"), slashes kept.
 */
export function encodeS3Key(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/');
}

/** Where an upload belongs, from its key `incoming/{operation}/{country}/{name…}`. */
export type UploadAddress = { operation: string; country: string; name: string };

/** Reads the operation, country and file name from an incoming key; null when it is not one. */
export function parseIncomingKey(key: string): UploadAddress | null {
  const m = /^incoming\/([a-z0-9][a-z0-9-]{0,62})\/([^/]+)\/(.+)$/.exec(key);
  if (!m) return null;
  const [, operation = '', country = '', rest = ''] = m;
  const name = rest.split('/').at(-1) ?? '';
  if (name === '' || [country, ...rest.split('/')].some((part) => part === '..' || part === '.')) return null;
  return { operation, country, name };
}

/**
 * The submission id of an uploaded object: the same object always gets the same id (so a
 * duplicate event is recognised), and ids sort by country, then time received.
 */
export function submissionId(
  country: string,
  created: Pick<ObjectCreated, 'key' | 'eTag' | 'versionId' | 'sequencer' | 'eventTime'>,
): string {
  const time = created.eventTime.replace(/[-:.]/g, '');
  const identity = [created.key, created.versionId ?? '', created.eTag ?? '', created.sequencer ?? ''].join(
    '\n',
  );
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, 12);
  return `${safeCountry(country)}-${time}-${hash}`;
}

/**
 * Orders a country's uploads (invariant 1). For a plain S3 put: the time S3 received the object,
 * then its key — both fixed in the event, so every redelivery orders the same way.
 */
export function orderKeyOf(created: Pick<ObjectCreated, 'eventTime' | 'key'>): string {
  return `${created.eventTime}|${created.key}`;
}

function safeCountry(country: string): string {
  return /^[A-Z]{2}$/.test(country) ? country : 'XX';
}
