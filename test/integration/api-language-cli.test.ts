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
});
