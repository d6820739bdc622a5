import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshStack } from '../support/local-servers.ts';
import { type Ran, runCli } from '../support/run-cli.ts';

const OP = 'liberterra-iii';
const BIN = fileURLToPath(new URL('../../bin/optally.js', import.meta.url));
const BAD_RETURN = 'date,metric,value\n2025-11-12,arests,1\n';

/** The CLI, as users run it, in the language each test asks for, against a fresh local stack. */
describe('the optally CLI in the user’s language', () => {
  let stack: Awaited<ReturnType<typeof freshStack>>;
  let work: string;
  let bad: string;
  const cli = (args: string[], env: Record<string, string> = {}): Promise<Ran> =>
    runCli([process.execPath, BIN], [...args, '--api', stack.apiUrl], {
      cwd: work,
      env: { LANG: 'C.UTF-8', LC_ALL: '', LC_MESSAGES: '', OPTALLY_LANG: '', ...env },
    });

  beforeAll(async () => {
    stack = await freshStack();
    work = await mkdtemp(join(tmpdir(), 'optally-cli-lang-'));
    bad = join(work, 'sn-return.csv');
    await writeFile(bad, BAD_RETURN);
  });
  afterAll(async () => {
    await stack.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it('validates in French with --lang fr: the report and the closing line, codes unchanged', async () => {
    const run = await cli(['validate', bad, '--operation', OP, '--country', 'SN', '--lang', 'fr']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('sn-return.csv: REFUSÉE');
    expect(run.stdout).toContain('Ligne 2, colonne metric: "arests"');
    expect(run.stdout).toContain('unknown-metric');
    // The operation's name as its definition translates it.
    expect(run.stdout).toContain('Opération Liberterra III');
    expect(run.stdout).toContain('Essai à blanc');
  });

  it('validates in Arabic from OPTALLY_LANG, and in Spanish from the system locale', async () => {
    const arabic = await cli(['validate', bad, '--operation', OP, '--country', 'SN'], { OPTALLY_LANG: 'ar' });
    expect(arabic.stdout).toContain('sn-return.csv: مرفوض');
    const spanish = await cli(['validate', bad, '--operation', OP, '--country', 'SN'], {
      LANG: 'es_ES.UTF-8',
    });
    expect(spanish.stdout).toContain('sn-return.csv: RECHAZADO');
  });

  it('refuses a language it does not write, naming the choices', async () => {
    const run = await cli(['validate', bad, '--operation', OP, '--country', 'SN', '--lang', 'de']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/en, fr, es or ar/);
  });

  it('downloads the workbook template with its guide in French: optally template --lang fr', async () => {
    const out = join(work, 'template-fr.xlsx');
    const run = await cli([
      'template',
      '--operation',
      OP,
      '--format',
      'xlsx',
      '-o',
      out,
      '--lang',
      'fr',
      '--country',
      'SN',
    ]);
    expect(run.code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await readFile(out)) as unknown as ArrayBuffer);
    const texts: string[] = [];
    wb.getWorksheet('guide')?.eachRow((row) => {
      row.eachCell((cell) => {
        texts.push(String(cell.value ?? ''));
      });
    });
    expect(texts.join('\n')).toContain('déclaration nationale');
  });
});
