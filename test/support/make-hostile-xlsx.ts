/**
 * The Excel part of the hostile-input catalogue: workbooks an agency (or an attacker with an
 * agency's upload rights) might send as .xlsx, each with the verdict and first problem code optally
 * must give it when BR uploads it to Liberterra III. Run `npx tsx test/support/make-hostile-xlsx.ts`
 * to (re)write `test/fixtures/hostile/xlsx-*.xlsx` and `xlsx-manifest.json`. Before anything is
 * written, every case is read back through `readReturn`; a case that does not get its expected
 * verdict and code stops the script, so the manifest never promises what the reader does not do.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type ExcelJS from 'exceljs';
import type { ProblemCode } from '../../shared/domain/problems.ts';
import { readReturn } from '../../shared/domain/read-return.ts';
import { liberterraIII, streamOf } from './builders.ts';
import {
  anXlsxReturn,
  asMacroWorkbook,
  excelDate,
  noise,
  rezipped,
  withDeclaredSize,
  withEncryptedFlag,
  withZipBomb,
  type XlsxReturnBuilder,
  xlsxBytes,
} from './xlsx-builders.ts';

/** One line of `xlsx-manifest.json`, in the shape of the CSV/JSON catalogue's `manifest.json`. */
export type XlsxHostileEntry = {
  file: `xlsx-${string}.xlsx`;
  country: 'BR';
  verdict: 'accepted' | 'rejected';
  /** The first problem the report lists (file-level problems come first), or null when accepted. */
  code: ProblemCode | null;
  /** Where that problem must be reported, when it is about a row. */
  row?: number;
  why: string;
};

/** A catalogue entry and how to build its bytes. */
export type XlsxHostileCase = XlsxHostileEntry & { bytes: () => Promise<Uint8Array> };

/** Where the catalogue's files live (shared with the CSV/JSON catalogue). */
export const HOSTILE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/hostile');
const MANIFEST = 'xlsx-manifest.json';
/** Checked-in files stay small, as in the rest of the catalogue. */
const MAX_FIXTURE_BYTES = 200 * 1024;

/** A valid Liberterra III return, as the CSV catalogue's: the 12th in date cells, the 13th typed as text. */
function validReturn(): XlsxReturnBuilder {
  return anXlsxReturn()
    .withRow(excelDate('2025-11-12'), 'arrests', 12)
    .withRow(excelDate('2025-11-12'), 'arrests_trafficking_smuggling', 5)
    .withRow(excelDate('2025-11-12'), 'victims_safeguarded', 9)
    .withRow(excelDate('2025-11-12'), 'victims_safeguarded', 3, 'exploitation=forced_labour')
    .withRow(excelDate('2025-11-12'), 'officers_deployed', 310)
    .withRow('2025-11-13', 'arrests', 0);
}

const valid = (): Promise<Uint8Array> => validReturn().bytes();

/** Replaces one part of a workbook with `change(its text)`. */
async function withPart(
  bytes: Uint8Array,
  name: string,
  change: (xml: string) => string,
): Promise<Uint8Array> {
  return rezipped(bytes, async (zip) => {
    zip.file(name, change(await zip.file(name)!.async('string')));
  });
}

/**
 * A sheet of `cells` empty cells. Deflate would squeeze so regular a sheet far beyond 100:1, which
 * the bomb check would catch first; an incompressible comment keeps the ratio ordinary, so that it
 * is the cell count that rejects it.
 */
function sheetOfEmptyCells(cells: number, perRow = 100): string {
  const row = `<row>${'<c/>'.repeat(perRow)}</row>`;
  const padding = Buffer.from(noise(120 * 1024, 7)).toString('base64');
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${row.repeat(Math.ceil(cells / perRow))}</sheetData><!--${padding}--></worksheet>`;
}

/** The Excel catalogue, in a fixed order. */
export function xlsxHostileCases(): XlsxHostileCase[] {
  return [
    {
      file: 'xlsx-valid.xlsx',
      country: 'BR',
      verdict: 'accepted',
      code: null,
      why: 'A plain workbook with a sheet "return": dates as Excel date cells and as text, numbers as number cells.',
      bytes: valid,
    },
    {
      file: 'xlsx-first-sheet-fallback.xlsx',
      country: 'BR',
      verdict: 'accepted',
      code: null,
      why: 'No sheet is named "return": the first (and only) sheet, "Sheet1", is read.',
      bytes: () => validReturn().sheetName('Sheet1').bytes(),
    },
    {
      file: 'xlsx-return-sheet-second.xlsx',
      country: 'BR',
      verdict: 'accepted',
      code: null,
      why: 'A cover sheet of notes comes first; the sheet named "return" is read, not the first tab.',
      bytes: () =>
        validReturn()
          .withSheetBefore('notes', ['Prepared by the national desk'], ['arrests', 'unverified', 999])
          .bytes(),
    },
    {
      file: 'xlsx-date-1904.xlsx',
      country: 'BR',
      verdict: 'accepted',
      code: null,
      why: 'A workbook that counts days from 1904 (old Mac Excel): date cells still read as the days shown.',
      bytes: () => {
        const wb = validReturn().workbook();
        wb.properties.date1904 = true;
        return xlsxBytes(wb);
      },
    },
    {
      file: 'xlsx-whole-sheet-ranges.xlsx',
      country: 'BR',
      verdict: 'accepted',
      code: null,
      why: 'A merged range, a data validation and a defined name each spanning all 17 billion cells of a sheet: a reader that expands ranges into cells never finishes; these are not read at all.',
      bytes: async () => {
        const sheet = await withPart(await valid(), 'xl/worksheets/sheet1.xml', (xml) =>
          xml.replace(
            '</sheetData>',
            '</sheetData><mergeCells count="1"><mergeCell ref="F1:XFD1048576"/></mergeCells><dataValidations count="1"><dataValidation type="whole" allowBlank="1" sqref="A1:XFD1048576"><formula1>0</formula1></dataValidation></dataValidations>',
          ),
        );
        return withPart(sheet, 'xl/workbook.xml', (xml) =>
          xml.replace(
            '</sheets>',
            '</sheets><definedNames><definedName name="everything">return!$A:$XFD</definedName></definedNames>',
          ),
        );
      },
    },
    {
      file: 'xlsx-zero-bytes.xlsx',
      country: 'BR',
      verdict: 'rejected',
      code: 'empty-file',
      why: 'Zero bytes named .xlsx.',
      bytes: async () => new Uint8Array(0),
    },
    {
      file: 'xlsx-header-only.xlsx',
      country: 'BR',
      verdict: 'rejected',
      code: 'no-rows',
      why: 'The header row and nothing else (the unchanged template): not a report of zero.',
      bytes: () => anXlsxReturn().bytes(),
    },
    {
      file: 'xlsx-empty-sheet.xlsx',
      country: 'BR',
      verdict: 'rejected',
      code: 'no-rows',
      why: 'A sheet named "return" with no cells at all.',
      bytes: () => anXlsxReturn().withoutHeader().bytes(),
    },
    {
      file: 'xlsx-empty-workbook.xlsx',
      country: 'BR',
      verdict: 'rejected',
      code: 'no-rows',
      why: 'A workbook with no worksheet at all.',
      bytes: async () => {
        const wb = validReturn().workbook();
        wb.removeWorksheet(wb.getWorksheet('return')!.id);
        return xlsxBytes(wb);
      },
    },
    {
      file: 'xlsx-formula.xlsx',
      country: 'BR',
      verdict: 'rejected',
      code: 'formula-not-allowed',
      row: 3,
      why: 'A value computed by a formula (=D2*2, with its cached result 24): formulas are never evaluated nor trusted.',
      bytes: () =>
        anXlsxReturn()
          .withRow('2025-11-12', 'arrests', 12)
          .withFormula('2025-11-13', 'arrests', 'D2*2', 24)
          .bytes(),
    },
    {
      file: 'xlsx-formula-filled-down.xlsx',
      country: 'BR',
      verdict: 'rejected',
      code: 'formula-not-allowed',
      row: 2,
      why: 'A formula filled down a column (one shared formula: the cells below only point to it).',
      bytes: () => {
        const wb = anXlsxReturn()
          .withRow('2025-11-12', 'arrests', 1)
          .withRow('2025-11-13', 'arrests', 1)
          .withRow('2025-11-14', 'arrests', 1)
          .workbook();
        const ws = wb.getWorksheet('return')!;
        ws.getCell('D2').value = {
          formula: 'ROW()',
          result: 2,
          shareType: 'shared',
          ref: 'D2:D4',
        } as unknown as ExcelJS.CellFormulaValue;
        ws.getCell('D3').value = { sharedFormula: 'D2', result: 3 };
        ws.getCell('D4').value = { sharedFormula: 'D2', result: 4 };
        return xlsxBytes(wb);
      },
    },
    {
      file: 'xlsx-formula-leading-text.xlsx',
      country: 'BR',
      verdict: 'rejected',
      code: 'unknown-metric',
      row: 2,
      why: 'Text cells that begin with =, +, - and @ (=HYPERLINK(…), a DDE payload): text, not formulas; rejected by the metric and value checks, and echoed back as text.',
      bytes: () =>
        anXlsxReturn()
          .withRow('2025-11-12', '=HYPERLINK("http://example.com/x","arrests")', 1)
          .withRow('2025-11-12', 'arrests', "+cmd|' /C calc'!A0")
          .withRow('2025-11-13', 'arrests', '@SUM(1+1)')
          .withRow('2025-11-14', 'arrests', '-2+3')
          .bytes(),
    },
    {
      file: 'xlsx-decimal.xlsx',
      country: 'BR',
      verdict: 'rejected',
      code: 'bad-value',
      row: 2,
      why: 'A number cell holding 2.5 (shown as 3 by a 0-decimal format): figures are whole numbers.',
      bytes: async () => {
        const wb = anXlsxReturn().withRow('2025-11-12', 'arrests', 2.5).workbook();
        wb.getWorksheet('return')!.getCell('D2').numFmt = '0';
        return xlsxBytes(wb);
      },
    },
    {
      file: 'xlsx-zip-bomb.xlsx',
      country: 'BR',
      verdict: 'rejected',
      code: 'zip-bomb',
      why: 'A 60 MB part of zeros deflated to about 60 KB (1000:1): refused from the central directory, nothing inflated.',
      bytes: async () => withZipBomb(await valid()),
    },
    {
      file: 'xlsx-lying-sizes.xlsx',
      country: 'BR',
      verdict: 'rejected',
      code: 'zip-bomb',
      why: 'xl/workbook.xml declares 10 bytes but expands to more: inflation stops at the declared size.',
      bytes: async () => withDeclaredSize(await valid(), 'xl/workbook.xml', 10),
    },
    {
      file: 'xlsx-too-many-cells.xlsx',
      country: 'BR',
      verdict: 'rejected',
      code: 'too-many-cells',
      why: '2,000,100 empty cells in one sheet (8 MB of XML at an ordinary compression ratio): refused before exceljs reads a row.',
      bytes: async () =>
        rezipped(await anXlsxReturn().withoutHeader().bytes(), (zip) => {
          zip.file('xl/worksheets/sheet1.xml', sheetOfEmptyCells(2_000_100));
        }),
    },
    {
      file: 'xlsx-macro-renamed.xlsx',
      country: 'BR',
      verdict: 'rejected',
      code: 'macro-workbook',
      why: 'A macro-enabled workbook (.xlsm: VBA project and macroEnabled content type) renamed .xlsx.',
      bytes: async () => asMacroWorkbook(await valid()),
    },
    {
      file: 'xlsx-encrypted.xlsx',
      country: 'BR',
      verdict: 'rejected',
      code: 'unsupported-format',
      why: 'What Excel saves with a password: an OLE compound file, not a ZIP (here its signature and noise).',
      bytes: async () =>
        Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, ...noise(8 * 1024, 3)]),
    },
    {
      file: 'xlsx-encrypted-zip.xlsx',
      country: 'BR',
      verdict: 'rejected',
      code: 'unsupported-format',
      why: 'A workbook zipped with ZIP encryption (every entry flagged encrypted).',
      bytes: async () => withEncryptedFlag(await valid()),
    },
    {
      file: 'xlsx-garbage.xlsx',
      country: 'BR',
      verdict: 'rejected',
      code: 'unsupported-format',
      why: '8 KB of random bytes named .xlsx.',
      bytes: async () => noise(8 * 1024, 5),
    },
    {
      file: 'xlsx-csv-renamed.xlsx',
      country: 'BR',
      verdict: 'rejected',
      code: 'unsupported-format',
      why: 'A valid CSV return renamed .xlsx: the hint says to upload it as .csv.',
      bytes: async () => new TextEncoder().encode('date,metric,breakdown,value\n2025-11-12,arrests,,12\n'),
    },
    {
      file: 'xlsx-truncated.xlsx',
      country: 'BR',
      verdict: 'rejected',
      code: 'unsupported-format',
      why: 'A valid workbook cut in half (an interrupted download): the ZIP directory is missing.',
      bytes: async () => {
        const bytes = await valid();
        return bytes.slice(0, Math.floor(bytes.length / 2));
      },
    },
    {
      file: 'xlsx-sheet-cut-short.xlsx',
      country: 'BR',
      verdict: 'rejected',
      code: 'unsupported-format',
      why: 'A sheet whose XML stops after its third row: not read as a shorter return.',
      bytes: async () =>
        withPart(await valid(), 'xl/worksheets/sheet1.xml', (xml) => xml.slice(0, xml.indexOf('<row r="4"'))),
    },
    {
      file: 'xlsx-dtd-entities.xlsx',
      country: 'BR',
      verdict: 'rejected',
      code: 'unsupported-format',
      why: 'A sheet with a DTD declaring nested entities (a "billion laughs" expansion): Excel never writes a DTD.',
      bytes: async () =>
        withPart(await valid(), 'xl/worksheets/sheet1.xml', (xml) =>
          xml.replace(
            '?>',
            `?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${String.fromCharCode(98 + i)} "${`&${String.fromCharCode(97 + i)};`.repeat(10)}">`).join('')}]>`,
          ),
        ),
    },
  ];
}

/** Reads a case as the ingest Lambda would (BR, Liberterra III) and says how it differs from its entry. */
async function mismatch(entry: XlsxHostileEntry, bytes: Uint8Array): Promise<string | null> {
  const { report } = await readReturn(streamOf(bytes, 64 * 1024), 'xlsx', {
    operation: liberterraIII(),
    country: entry.country,
  });
  const first = report.problems[0];
  const got = { verdict: report.verdict, code: first?.code ?? null, row: first?.row ?? null };
  const ok =
    got.verdict === entry.verdict &&
    got.code === entry.code &&
    (entry.row === undefined || got.row === entry.row);
  return ok ? null : `${entry.file}: expected ${JSON.stringify(entry)}, got ${JSON.stringify(got)}`;
}

/**
 * Builds, checks and writes every case, then merges their entries into `xlsx-manifest.json`
 * (entries of other files in it are kept). Throws, writing nothing, if any case misbehaves.
 */
export async function writeXlsxHostileFixtures(dir = HOSTILE_DIR): Promise<XlsxHostileEntry[]> {
  const cases = xlsxHostileCases();
  if (new Set(cases.map((c) => c.file)).size !== cases.length) throw new Error('two cases share a file name');
  const built: { entry: XlsxHostileEntry; bytes: Uint8Array }[] = [];
  const problems: string[] = [];
  for (const { bytes: build, ...entry } of cases) {
    const bytes = await build();
    if (bytes.length > MAX_FIXTURE_BYTES) problems.push(`${entry.file} is ${bytes.length} bytes`);
    const wrong = await mismatch(entry, bytes);
    if (wrong) problems.push(wrong);
    built.push({ entry, bytes });
  }
  if (problems.length > 0)
    throw new Error(`hostile xlsx cases do not behave as listed:\n${problems.join('\n')}`);

  await mkdir(dir, { recursive: true });
  for (const { entry, bytes } of built) await writeFile(join(dir, entry.file), bytes);
  const previous = await readFile(join(dir, MANIFEST), 'utf8').then(
    (text) => JSON.parse(text) as XlsxHostileEntry[],
    () => [],
  );
  const ours = new Set(built.map((b) => b.entry.file));
  const manifest = [...previous.filter((e) => !ours.has(e.file)), ...built.map((b) => b.entry)];
  await writeFile(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const manifest = await writeXlsxHostileFixtures();
  console.log(
    `wrote ${xlsxHostileCases().length} xlsx files; ${MANIFEST} lists ${manifest.length} in ${HOSTILE_DIR}`,
  );
}
