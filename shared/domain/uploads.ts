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

/**
 * Where an upload belongs, from its key `incoming/{operation}/{country}/{name…}`. Uploads through
 * a slot land at `incoming/{operation}/{country}/{uploadId}/{file name}`.
 */
export type UploadAddress = { operation: string; country: string; name: string; uploadId: string | null };

/** Upload ids carry the slot's per-country sequence: `u000000042-9f1c2ab3`. */
const UPLOAD_ID = /^u(\d{9})-([0-9a-f]{8})$/;

/** The upload id of a slot: its per-country sequence (which orders uploads) and a random suffix. */
export function uploadIdOf(seq: number, randomHex: string): string {
  if (!Number.isSafeInteger(seq) || seq < 1 || seq > 999_999_999 || !/^[0-9a-f]{8}$/.test(randomHex)) {
    throw new RangeError(`cannot make an upload id from sequence ${seq} and suffix "${randomHex}"`);
  }
  return `u${String(seq).padStart(9, '0')}-${randomHex}`;
}

/** The sequence number inside an upload id, or null when it is not one. */
export function sequenceOf(uploadId: string): number | null {
  const m = UPLOAD_ID.exec(uploadId);
  return m ? Number(m[1]) : null;
}

/** Reads the operation, country, upload id and file name from an incoming key; null when it is not one. */
export function parseIncomingKey(key: string): UploadAddress | null {
  const m = /^incoming\/([a-z0-9][a-z0-9-]{0,62})\/([^/]+)\/(.+)$/.exec(key);
  if (!m) return null;
  const [, operation = '', country = '', rest = ''] = m;
  const parts = rest.split('/');
  const name = parts.at(-1) ?? '';
  if (name === '' || [country, ...parts].some((part) => part === '..' || part === '.')) return null;
  const uploadId = parts.length === 2 && UPLOAD_ID.test(parts[0] ?? '') ? (parts[0] ?? null) : null;
  return { operation, country, name, uploadId };
}

/** Lower-risk file names for slot keys: the base name, unusual characters replaced, at most 100 characters. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).at(-1) ?? '';
  const cleaned = base
    .normalize('NFKC')
    .replace(/[^A-Za-z0-9._ ()-]+/g, '_')
    .replace(/^[.\s]+/, '')
    .slice(-100);
  return cleaned === '' ? 'return' : cleaned;
}

/**
 * The submission id of an uploaded object: the same object always gets the same id (so a
 * duplicate event is recognised). Ids start with the country; then the upload id for slot
 * uploads (so a slot's submissions are found by prefix), else the time received.
 */
export function submissionId(
  country: string,
  created: Pick<ObjectCreated, 'key' | 'eTag' | 'versionId' | 'sequencer' | 'eventTime'>,
): string {
  const identity = [created.key, created.versionId ?? '', created.eTag ?? '', created.sequencer ?? ''].join(
    '\n',
  );
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, 12);
  const uploadId = parseIncomingKey(created.key)?.uploadId;
  const middle = uploadId ?? created.eventTime.replace(/[-:.]/g, '');
  return `${safeCountry(country)}-${middle}-${hash}`;
}

/**
 * Orders a country's uploads (invariant 1), from facts fixed at intake so that every redelivery
 * orders the same way. Slot uploads (`S|…`) are ordered by the sequence their slot was given —
 * two uploads in the same millisecond are still ordered. Plain S3 puts (`P|…`, admin tooling and
 * tests) are ordered by the time S3 received the object, then the key, then S3's sequencer (two
 * puts of one key in the same millisecond are two uploads, the later one newer), and count as
 * older than any slot upload.
 */
export function orderKeyOf(created: Pick<ObjectCreated, 'eventTime' | 'key' | 'sequencer'>): string {
  const uploadId = parseIncomingKey(created.key)?.uploadId;
  const seq = uploadId ? sequenceOf(uploadId) : null;
  if (seq !== null) return `S|${String(seq).padStart(9, '0')}|${created.eventTime}`;
  return `P|${created.eventTime}|${created.key}|${comparableSequencer(created.sequencer)}`;
}

/**
 * S3's sequencers of one key compare as hexadecimal numbers: padded to one width, they compare
 * as texts.
 */
function comparableSequencer(sequencer: string | null): string {
  return (sequencer ?? '').toUpperCase().padStart(32, '0');
}

function safeCountry(country: string): string {
  return /^[A-Z]{2}$/.test(country) ? country : 'XX';
}
