import type { OperationSummary, SubmissionPage, SubmissionView } from '../shared/api/responses.ts';
import { API } from '../shared/api/routes.ts';
import type { ApiClient } from './api-client.ts';
import { connect, type GlobalOptions, type Outcome } from './context.ts';
import { EXIT } from './errors.ts';
import { say } from './lang.ts';
import { table } from './table.ts';

export type StatusOptions = { operation?: string; country?: string };

/** What the listing shows of an operation (from GET /operations or GET /operations/{op}). */
type Operation = Pick<OperationSummary, 'id' | 'name' | 'status' | 'window'>;

/**
 * `optally status`: your submissions and their verdicts, for one operation or for every open
 * one. A coordinator (or admin) sees every country's unless `--country` narrows it.
 */
export async function status(opts: StatusOptions, globals: GlobalOptions): Promise<Outcome> {
  const client = await connect(globals, opts.country);
  let operations: Operation[];
  let others: Operation[] = [];
  if (opts.operation) {
    const one = await client.call(API.getOperation, { params: { op: opts.operation } });
    const { id, name, window } = one.definition;
    operations = [{ id, name, window, status: one.status }];
  } else {
    const all = (await client.call(API.listOperations, {})).operations;
    operations = all.filter((o) => o.status === 'open');
    others = all.filter((o) => o.status !== 'open');
  }
  const listed = await Promise.all(
    operations.map(async (o) => ({
      id: o.id,
      name: o.name,
      status: o.status,
      window: o.window,
      submissions: await submissions(client, o.id, opts.country),
    })),
  );
  const text = listed.map((o) => {
    const head = say('cli.status.head', {
      name: o.name,
      id: o.id,
      status: o.status,
      start: o.window.start,
      end: o.window.end,
    });
    if (o.submissions.length === 0) return `${head}\n${say('cli.status.none-yet')}`;
    const rows = o.submissions.map((s) => [
      s.id,
      s.key.split('/').at(-1) ?? s.key,
      s.receivedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      s.status,
      String(s.errors),
      String(s.warnings),
    ]);
    return `${head}\n${table(COLUMNS.map(column), rows, [4, 5])}`;
  });
  if (listed.length === 0) text.push(say('cli.status.none-open'));
  if (others.length > 0) {
    const names = others.map((o) => `${o.id} (${o.status})`).join(', ');
    text.push(say('cli.status.not-open', { names }));
  }
  return { exitCode: EXIT.accepted, text: `${text.join('\n\n')}\n`, json: { operations: listed } };
}

/** The listing's columns; statuses, ids and times stay as the API writes them, in every language. */
const COLUMNS = ['id', 'file', 'received', 'status', 'errors', 'warnings'] as const;

const column = (name: (typeof COLUMNS)[number]): string => say(`cli.status.column.${name}`);

/** Every submission of an operation (all pages), for one country or all the caller may see. */
async function submissions(
  client: ApiClient,
  operation: string,
  country: string | undefined,
): Promise<SubmissionView[]> {
  const out: SubmissionView[] = [];
  let cursor: string | null = null;
  do {
    const page: SubmissionPage = await client.call(API.listSubmissions, {
      params: { op: operation },
      query: { limit: 1000, country, cursor },
    });
    out.push(...page.submissions);
    cursor = page.cursor;
  } while (cursor);
  return out;
}
