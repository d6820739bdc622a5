import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aReturn } from '../support/builders.ts';
import { freshStack } from '../support/local-servers.ts';
import { runCli } from '../support/run-cli.ts';

const BIN = fileURLToPath(new URL('../../bin/optally.js', import.meta.url));
const OP = 'liberterra-iii';
const ARABIC = /[\u0600-\u06ff]/;

describe('the CLI’s receipt in the language it is given', () => {
  let stack: Awaited<ReturnType<typeof freshStack>>;
  let work: string;
  const upload = async (country: string, lang: string) => {
    const content = aReturn().withRow('2025-11-12', 'arrests', 12).csv();
    const path = join(work, `${country}-${lang}.csv`);
    await writeFile(path, content);
    const run = await runCli(
      [process.execPath, BIN],
      ['upload', path, '--operation', OP, '--country', country, '--lang', lang, '--api', stack.apiUrl],
      { cwd: work, env: {} },
    );
    return { run, sha256: createHash('sha256').update(content).digest('hex') };
  };

  beforeAll(async () => {
    stack = await freshStack();
    work = await mkdtemp(join(tmpdir(), 'optally-cli-lang-'));
  });
  afterAll(async () => {
    await stack.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it('writes the receipt in French and Arabic, keeping the upload id, size and SHA-256', async () => {
    const en = await upload('KE', 'en');
    expect(en.run.code).toBe(0);
    expect(en.run.stdout).toContain(`The SHA-256 computed here matches the server's: ${en.sha256}.`);
    expect(en.run.stdout).toMatch(/^Receipt: upload \S+, \d+ bytes, received /m);

    const fr = await upload('BR', 'fr');
    expect(fr.run.code).toBe(0);
    expect(fr.run.stdout).toContain(`Le SHA-256 calculé ici correspond à celui du serveur : ${fr.sha256}.`);
    expect(fr.run.stdout).toMatch(/^Accusé de réception : dépôt \S+, \d+ octets, reçu le /m);
    expect(fr.run.stdout).not.toContain('Receipt:');

    const ar = await upload('FR', 'ar');
    expect(ar.run.code).toBe(0);
    const receipt = ar.run.stdout.split('\n').slice(0, 2).join('\n');
    expect(receipt).toMatch(ARABIC);
    expect(receipt).toContain(ar.sha256);
    expect(receipt).not.toContain('Receipt:');
  });

  it('writes its own lines, its errors and the API’s in the language it is given', async () => {
    const path = join(work, 'lines.csv');
    await writeFile(path, aReturn().withRow('2025-11-12', 'arrests', 3).csv());
    const cli = (args: string[]) =>
      runCli([process.execPath, BIN], [...args, '--api', stack.apiUrl], { cwd: work, env: {} });

    const sent = await cli([
      'upload',
      path,
      '--operation',
      OP,
      '--country',
      'SN',
      '--no-wait',
      '--lang',
      'fr',
    ]);
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(
      /^lines\.csv envoyé comme dépôt \S+ pour SN \(\d+ octets, sha256 [0-9a-f]{64}\)\./m,
    );
    expect(sent.stdout).toContain('Sans attendre le verdict ; consultez-le plus tard avec : optally status');
    expect(sent.stderr).toMatch(/Envoi de lines\.csv : \d+ octets envoyés en/);

    const waited = await cli(['upload', path, '--operation', OP, '--country', 'SN', '--lang', 'ar']);
    expect(waited.stderr).toMatch(/في انتظار الحكم على \S+/);

    const unknown = await cli(['status', '--operation', 'no-such-op', '--country', 'SN', '--lang', 'fr']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('GET /operations/no-such-op a échoué (404 unknown-operation)');
    expect(unknown.stderr).toContain('Il n’existe aucune opération « no-such-op »');
    expect(unknown.stderr).toContain('Vérifiez --operation');

    const json = await cli([
      'status',
      '--operation',
      'no-such-op',
      '--country',
      'SN',
      '--lang',
      'ar',
      '--json',
    ]);
    const { error } = JSON.parse(json.stdout) as { error: { code: string; status: number; message: string } };
    expect(error).toMatchObject({ code: 'unknown-operation', status: 404 });
    expect(error.message).toMatch(ARABIC);

    const empty = join(work, 'empty.csv');
    await writeFile(empty, '');
    const refused = await cli(['upload', empty, '--operation', OP, '--country', 'SN', '--lang', 'es']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('empty.csv está vacío (empty-file)');
  });
});
