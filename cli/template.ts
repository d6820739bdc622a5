import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { API } from '../shared/api/routes.ts';
import { msg } from '../shared/i18n/text.ts';
import { connect, type GlobalOptions, type Outcome } from './context.ts';
import { ApiError, CliError, EXIT } from './errors.ts';
import { cliLocale, say } from './lang.ts';
import { humanSize } from './progress.ts';

export type TemplateOptions = {
  operation: string;
  format: 'csv' | 'xlsx';
  output?: string;
  force?: boolean;
  country?: string;
};

/**
 * `optally template`: saves the operation's return template (CSV, or Excel with its guide in the
 * `--lang` language) to a file, never
 * overwriting one unless `--force` (a filled-in template may carry the same name).
 */
export async function template(
  opts: TemplateOptions,
  globals: GlobalOptions & { lang?: string },
): Promise<Outcome> {
  const target = resolve(opts.output ?? `${opts.operation}-template.${opts.format}`);
  if (existsSync(target) && !opts.force) {
    throw new CliError(msg('cli.template.exists', { path: target }));
  }
  const client = await connect(globals, opts.country);
  const path = `/operations/${encodeURIComponent(opts.operation)}/template.${opts.format}`;
  let bytes: Buffer;
  try {
    const input = { params: { op: opts.operation } };
    // The workbook's guide, notes and validation messages in the user's language; the CSV header is codes.
    bytes = await (opts.format === 'csv'
      ? client.bytes(API.csvTemplate, input)
      : client.bytes(API.xlsxTemplate, { ...input, query: { lang: cliLocale(globals.lang) } }));
  } catch (e) {
    if (e instanceof ApiError && e.status === 404 && e.code !== 'unknown-operation') {
      throw new CliError(
        msg('cli.template.none', { api: client.baseUrl, path, code: e.code || 'not-found' }),
        EXIT.failure,
        'no-template',
        { cause: e },
      );
    }
    throw e;
  }
  await writeFile(target, bytes, { flag: opts.force ? 'w' : 'wx' });
  return {
    exitCode: EXIT.accepted,
    text: `${say('cli.template.saved', {
      format: opts.format.toUpperCase(),
      op: opts.operation,
      file: target,
      size: humanSize(bytes.length),
    })}\n`,
    json: { operation: opts.operation, format: opts.format, file: target, size: bytes.length },
  };
}
