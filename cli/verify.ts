import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { verifyFinal } from '../shared/app/verify-final.ts';
import { msg } from '../shared/i18n/text.ts';
import type { GlobalOptions, Outcome } from './context.ts';
import { CliError, EXIT } from './errors.ts';
import { say, sayText } from './lang.ts';

export type VerifyOptions = { publicKey: string; proof?: string[]; export?: string[]; raw?: string };

/**
 * `optally verify <export.json> --public-key key.pem [--proof p.json …] [--raw folder]`: checks final
 * figures offline with only the files and the public key. Exit 0 when everything holds, 1 naming
 * each failure, 2 when a file cannot be read.
 */
export async function verify(file: string, opts: VerifyOptions, _globals: GlobalOptions): Promise<Outcome> {
  const exported = await readJson(file);
  const publicKeyPem = await readText(opts.publicKey);
  const proofs = await Promise.all(
    (opts.proof ?? []).map(async (name) => ({ name, content: await readJson(name) })),
  );
  const exports = await Promise.all(
    (opts.export ?? []).map(async (name) => ({ name, text: await readText(name) })),
  );
  const raw = opts.raw ? folder(opts.raw) : null;
  const checks = await verifyFinal({ exported, publicKeyPem, proofs, exports, raw });
  const failed = checks.filter((c) => !c.ok);
  return {
    exitCode: failed.length === 0 ? EXIT.accepted : EXIT.rejected,
    text: [
      ...checks.map((c) => `${c.ok ? '✓' : '✗'} ${sayText(c.text)}`),
      failed.length === 0 ? say('cli.verify.all-hold') : say('cli.verify.failed', { count: failed.length }),
    ].join('\n'),
    json: { ok: failed.length === 0, checks: checks.map(({ ok, what }) => ({ ok, what })) },
  };
}

/** A downloaded bucket: keys are paths under the folder. */
function folder(root: string) {
  return {
    read: async (key: string): Promise<Buffer | null> =>
      readFile(join(root, ...key.split('/'))).catch(() => null),
    list: async (prefix: string): Promise<string[]> => {
      const start = join(root, ...prefix.split('/').filter(Boolean));
      const entries = await readdir(start, { recursive: true, withFileTypes: true }).catch(() => []);
      return entries
        .filter((e) => e.isFile())
        .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'))
        .sort();
    },
  };
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new CliError(msg('cli.verify.unreadable', { path, reason: (e as Error).message }));
  }
}

async function readJson(path: string): Promise<unknown> {
  const text = await readText(path);
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(msg('cli.verify.not-json', { path }), EXIT.rejected);
  }
}
