import { ApiError } from '../shared/api/client.ts';

/** How the CLI ends: 0 accepted, 1 rejected (fix the file), 2 anything else (fix the setup, or retry). */
export const EXIT = { accepted: 0, rejected: 1, failure: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * An expected failure of a command, with a message that says what went wrong and what to do,
 * and the exit code it ends the CLI with.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failure,
    readonly code = 'cli-error',
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** A non-2xx answer of the optally API, with the server's `{ error, message }`: the one client's error. */
export { ApiError };

/** S3 refused a presigned POST (its XML `<Code>` and `<Message>`). */
export class StorageError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

/** What the CLI prints and returns for an error: one line for people, a code for scripts. */
export type Explained = { exitCode: ExitCode; code: string; status: number | null; message: string };

/** Turns any error into a message saying what went wrong and what to do; unknown errors are bugs. */
export function explain(e: unknown): Explained {
  if (e instanceof CliError) return { exitCode: e.exitCode, code: e.code, status: null, message: e.message };
  if (e instanceof ApiError)
    return { exitCode: EXIT.failure, code: e.code ?? '', status: e.status, message: apiMessage(e) };
  if (e instanceof StorageError) {
    return { exitCode: EXIT.failure, code: e.code, status: e.status, message: storageMessage(e) };
  }
  const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
  return {
    exitCode: EXIT.failure,
    code: 'internal',
    status: null,
    message: `Unexpected error (a bug in the CLI; please report it with this text):\n${detail}`,
  };
}

function apiMessage(e: ApiError): string {
  const said = /[.!?]$/.test(e.message) ? e.message : `${e.message}.`;
  const base = `${e.request} failed (${e.status}${e.code ? ` ${e.code}` : ''}): ${said}`;
  if (e.advice) return `${base} ${e.advice}`;
  if (e.status >= 500)
    return `${base} Try again in a minute; if it keeps failing, tell the operation's coordinators.`;
  return base;
}

function storageMessage(e: StorageError): string {
  const base = `The storage service refused the file (${e.status} ${e.code}): ${e.message}`;
  switch (e.code) {
    case 'EntityTooLarge':
      return `${base} The file is above the operation's size limit: send a smaller file.`;
    case 'AccessDenied':
    case 'ExpiredToken':
      return `${base} The upload slot was refused or has expired: run the command again for a new slot.`;
    default:
      return `${base} Run the command again; if it keeps failing, tell the operation's coordinators.`;
  }
}
