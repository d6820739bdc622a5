import type { ApiClient } from './api-client.ts';
import { connect, type GlobalOptions, type Outcome } from './context.ts';
import { EXIT } from './errors.ts';
import { table } from './table.ts';

export type StatusOptions = { operation?: string; country?: string };

type Operation = { id: string; name: string; status: string; window: { start: string; end: string } };
type SubmissionView = {
  id: string;
  country: string;
  key: string;
  receivedAt: string;
  status: string;
  errors: number;
  warnings: number;
  failure: string | null;
};

/**
 * `optally status`: your submissions and their verdicts, for one operation or for every open
 * one. A coordinator (or admin) sees every country's unless `--country` narrows it.
 */
export async function status(opts: StatusOptions, globals: GlobalOptions): Promise<Outcome> {
  const client = await connect(globals, opts.country);
  let operations: Operation[];
  let others: Operation[] = [];
  if (opts.operation) {
    const one = await client.getJson<{ definition: Operation; status: string }>(
      `/operations/${encodeURIComponent(opts.operation)}`,
    );
    operations = [{ ...one.definition, status: one.status }];
  } else {
    const all = (await client.getJson<{ operations: Operation[] }>('/operations')).operations;
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
    const head = `${o.name} (${o.id}) · ${o.status} · ${o.window.start} to ${o.window.end}`;
    if (o.submissions.length === 0) return `${head}\nNo submissions yet.`;
    const rows = o.submissions.map((s) => [
      s.id,
      s.key.split('/').at(-1) ?? s.key,
      s.receivedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      s.status,
      String(s.errors),
      String(s.warnings),
    ]);
    return `${head}\n${table(['id', 'file', 'received', 'status', 'errors', 'warnings'], rows, [4, 5])}`;
  });
  if (listed.length === 0) text.push('No operation is open for returns.');
  if (others.length > 0) {
    const names = others.map((o) => `${o.id} (${o.status})`).join(', ');
    text.push(`Not open: ${names}. See one with --operation ID.`);
  }
  return { exitCode: EXIT.accepted, text: `${text.join('\n\n')}\n`, json: { operations: listed } };
}

/** Every submission of an operation (all pages), for one country or all the caller may see. */
async function submissions(
  client: ApiClient,
  operation: string,
  country: string | undefined,
): Promise<SubmissionView[]> {
  const out: SubmissionView[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: '1000' });
    if (country) query.set('country', country);
    if (cursor) query.set('cursor', cursor);
    const page: { submissions: SubmissionView[]; cursor: string | null } = await client.getJson(
      `/operations/${encodeURIComponent(operation)}/submissions?${query}`,
    );
    out.push(...page.submissions);
    cursor = page.cursor;
  } while (cursor);
  return out;
}
