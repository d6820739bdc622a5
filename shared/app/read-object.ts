import { createHash } from 'node:crypto';

/**
 * Passes a stream through while hashing it. The parser may stop early (a rejected file); `finish`
 * reads the rest so the receipt's SHA-256 and size are always those of the whole object.
 * A read error (a connection reset mid-object) is not the file's fault: the parser would report
 * it as a malformed file, so `finish` throws it instead, as an `ObjectReadError`.
 */
export function hashing(body: AsyncIterable<Uint8Array>): {
  source: AsyncIterable<Uint8Array>;
  finish: () => Promise<{ sha256: string; size: number }>;
} {
  const it = body[Symbol.asyncIterator]();
  const hash = createHash('sha256');
  let size = 0;
  let failure: unknown = null;
  const next = async (): Promise<IteratorResult<Uint8Array>> => {
    if (failure) throw failure;
    let r: IteratorResult<Uint8Array>;
    try {
      r = await it.next();
    } catch (e) {
      failure = e;
      throw e;
    }
    if (!r.done) {
      hash.update(r.value);
      size += r.value.length;
    }
    return r;
  };
  return {
    source: {
      [Symbol.asyncIterator]: () => ({ next, return: async () => ({ done: true, value: undefined }) }),
    },
    finish: async () => {
      try {
        while (!(await next()).done) {
          // drain
        }
      } catch (e) {
        throw new ObjectReadError(`reading the object failed after ${size} bytes: ${String(e)}`, e);
      }
      return { sha256: hash.digest('hex'), size };
    },
  };
}

/** The object could not be read to its end (a transport failure, not a property of the file). */
export class ObjectReadError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'ObjectReadError';
  }
}

/** In-handler reads of one object before the failure goes back to the queue. */
const READ_ATTEMPTS = 3;

/**
 * Reads and checks an object, opening it again after a transient failure (a reset connection, an
 * S3 5xx): the check is a pure function of the bytes, so reading twice is safe. A missing object
 * or a refused request is not retried here; the queue's retries and the DLQ handle those.
 */
export async function readWithRetries<T>(
  read: () => Promise<T>,
  onRetry: (attempt: number, error: unknown) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (e) {
      if (attempt >= READ_ATTEMPTS || !isTransient(e)) throw e;
      onRetry(attempt, e);
      await new Promise((ok) => setTimeout(ok, 50 * 2 ** attempt));
    }
  }
}

/** True unless S3 answered with a client error (no such key or version, access denied…). */
function isTransient(e: unknown): boolean {
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === undefined || status >= 500 || status === 408 || status === 429;
}
