import { ApiError } from '../shared/api/client.ts';
import { type CatalogueText, english } from '../shared/i18n/text.ts';
import { say, sayText } from './lang.ts';

/** How the CLI ends: 0 accepted, 1 rejected (fix the file), 2 anything else (fix the setup, or retry). */
export const EXIT = { accepted: 0, rejected: 1, failure: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * An expected failure of a command, with a message that says what went wrong and what to do
 * (a catalogue text, printed in the CLI's language; `message` is its English), and the exit code
 * it ends the CLI with.
 */
export class CliError extends Error {
  readonly text: CatalogueText | null;

  constructor(
    message: string | CatalogueText,
    readonly exitCode: ExitCode = EXIT.failure,
    readonly code = 'cli-error',
    options?: ErrorOptions,
  ) {
    super(typeof message === 'string' ? message : english(message), options);
    this.name = 'CliError';
    this.text = typeof message === 'string' ? null : message;
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

/**
 * Turns any error into a message saying what went wrong and what to do, in the CLI's language;
 * unknown errors are bugs.
 */
export function explain(e: unknown): Explained {
  if (e instanceof CliError)
    return {
      exitCode: e.exitCode,
      code: e.code,
      status: null,
      message: e.text ? sayText(e.text) : e.message,
    };
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
    message: say('cli.error.bug', { detail }),
  };
}

function apiMessage(e: ApiError): string {
  // The server's message is in the CLI's language too: the client sends it as Accept-Language.
  const said = /[.!?。؟]$/.test(e.message) ? e.message : `${e.message}.`;
  const answer = `${e.status}${e.code ? ` ${e.code}` : ''}`;
  const base = say('cli.error.api', { request: e.request, answer, said });
  if (e.advice) return `${base} ${e.advice}`;
  if (e.status >= 500) return `${base} ${say('cli.error.api-retry')}`;
  return base;
}

function storageMessage(e: StorageError): string {
  // S3's own message stays as S3 wrote it; what to do is in the CLI's language.
  const base = say('cli.error.storage', { status: e.status, code: e.code, message: e.message });
  switch (e.code) {
    case 'EntityTooLarge':
      return `${base} ${say('cli.error.storage-too-large')}`;
    case 'AccessDenied':
    case 'ExpiredToken':
      return `${base} ${say('cli.error.storage-denied')}`;
    default:
      return `${base} ${say('cli.error.storage-retry')}`;
  }
}
