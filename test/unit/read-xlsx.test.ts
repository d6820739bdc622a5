import { readFileSync } from 'node:fs';
import type ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatOf } from '../../shared/domain/read-return.ts';
import { maxCellsOf, XLSX_LIMITS } from '../../shared/domain/xlsx/limits.ts';
import { anOperation, aReturn, liberterraIII, readCsv } from '../support/builders.ts';
import { codesOf, theProblem } from '../support/problems.ts';
import {
  anXlsxReturn,
  asMacroWorkbook,
  excelDate,
  noise,
  readXlsxReturn,
  rezipped,
  sheetXmlWithCells,
  withDeclaredSize,
  withEncryptedFlag,
  withZipBomb,
  xlsxBytes,
} from '../support/xlsx-builders.ts';

// The operation of these tests is `anOperation()` (test-op: BR, FR and KE, 10–12 November 2025),
// and BR uploads. Workbooks are built in memory with exceljs, as Excel would save them; the tests
// run under TZ=Pacific/Chatham (UTC+13:45), where a date read in local time lands on the wrong day.

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('formatOf, for workbooks', () => {
  it.each([
    ['return.xlsx', 'xlsx'],
    ['RETURN.XLSX', 'xlsx'],
    ['return.xlsm', null],
    ['return.xls', null],
    ['return.xlsb', null],
  ])('reads the format of %s as %s', (name, format) => {
    expect(formatOf(name)).toBe(format);
  });
});

describe('reading an Excel return', () => {
  it('accepts a workbook with the same figures as the equivalent CSV', async () => {
    const rows: [string, string, number, string?][] = [
      ['2025-11-10', 'arrests', 7],
      ['2025-11-10', 'arrests_trafficking_smuggling', 2],
      ['2025-11-10', 'victims_safeguarded', 5],
      ['2025-11-10', 'victims_safeguarded', 3, 'exploitation=forced_labour'],
      ['2025-11-11', 'arrests', 4],
      ['2025-11-11', 'officers_deployed', 120],
      ['2025-11-12', 'officers_deployed', 95],
    ];
    const csv = aReturn();
    const xlsx = anXlsxReturn();
    for (const [date, metric, value, breakdown] of rows) {
      csv.withRow(date, metric, value, breakdown);
      xlsx.withRow(excelDate(date), metric, value, breakdown);
    }

    const fromCsv = await readCsv(csv.csv());
    const fromXlsx = await readXlsxReturn(await xlsx.bytes());

    expect(fromXlsx.report).toEqual(fromCsv.report);
    expect(fromXlsx.report.verdict).toBe('accepted');
    expect(fromXlsx.figures).toEqual(fromCsv.figures);
  });

  it('reads the sheet named "return" rather than the first sheet', async () => {
    const bytes = await anXlsxReturn()
      .withSheetBefore('notes', ['Prepared by the national desk'], ['not', 'a', 'return'])
      .withRow('2025-11-10', 'arrests', 3)
      .bytes();

    const { report, figures } = await readXlsxReturn(bytes);

    expect(report.verdict).toBe('accepted');
    expect(figures?.totals).toEqual({ arrests: 3 });
  });

  it('finds the sheet "return" whatever its case', async () => {
    const bytes = await anXlsxReturn()
      .withSheetBefore('notes', ['not a return'])
      .sheetName('Return')
      .withRow('2025-11-10', 'arrests', 3)
      .bytes();

    const { report } = await readXlsxReturn(bytes);

    expect(report.verdict).toBe('accepted');
  });

  it('reads the first sheet when none is named "return"', async () => {
    const bytes = await anXlsxReturn().sheetName('Sheet1').withRow('2025-11-10', 'arrests', 3).bytes();

    const { report, figures } = await readXlsxReturn(bytes);

    expect(report.verdict).toBe('accepted');
    expect(figures?.totals).toEqual({ arrests: 3 });
  });

  it('passes over a hidden first sheet when none is named "return"', async () => {
    const wb = anXlsxReturn()
      .withSheetBefore('lists', ['arrests'])
      .sheetName('data')
      .withRow('2025-11-10', 'arrests', 3)
      .workbook();
    wb.getWorksheet('lists')!.state = 'hidden';

    const { report } = await readXlsxReturn(await xlsxBytes(wb));

    expect(report.verdict).toBe('accepted');
  });

  it('names the sheet it read when that sheet is empty', async () => {
    const bytes = await anXlsxReturn().sheetName('Sheet1').withoutHeader().withSheetBefore('cover').bytes();

    const { report } = await readXlsxReturn(bytes);

    const p = theProblem(report, 'no-rows', { row: null });
    expect(p.message).toContain('"cover"');
    expect(p.message).toContain('no sheet named "return"');
  });

  it('accepts Excel date cells, as the day Excel shows in any time zone', async () => {
    // 21:36 UTC on 10 November is already 11 November in Chatham; Excel shows 2025-11-10.
    const lateInTheDay = new Date('2025-11-10T21:36:00Z');
    const bytes = await anXlsxReturn()
      .withRow(lateInTheDay, 'arrests', 3)
      .withRow(excelDate('2025-11-12'), 'arrests', 4)
      .bytes();

    const { report, figures } = await readXlsxReturn(bytes);

    expect(report.verdict).toBe('accepted');
    expect(Object.keys(figures?.byDay ?? {})).toEqual(['2025-11-10', '2025-11-12']);
  });

  it('accepts dates typed as text', async () => {
    const bytes = await anXlsxReturn().withRow('2025-11-11', 'arrests', 3).bytes();

    const { figures } = await readXlsxReturn(bytes);

    expect(figures?.byDay).toEqual({ '2025-11-11': { arrests: 3 } });
  });

  it('reads dates of a workbook that counts days from 1904', async () => {
    const wb = anXlsxReturn().withRow(excelDate('2025-11-11'), 'arrests', 3).workbook();
    wb.properties.date1904 = true;

    const { figures } = await readXlsxReturn(await xlsxBytes(wb));

    expect(figures?.byDay).toEqual({ '2025-11-11': { arrests: 3 } });
  });

  it('rejects a day number that is not formatted as a date, as the CSV path would', async () => {
    const bytes = await anXlsxReturn()
      .withRow('2025-11-10', 'arrests', 3)
      .withCells(45971, 'arrests', null, 1)
      .bytes();

    const { report } = await readXlsxReturn(bytes);

    theProblem(report, 'bad-date', { row: 3, column: 'date', value: '45971' });
  });

  it('reads number cells and numbers typed as text alike', async () => {
    const bytes = await anXlsxReturn()
      .withRow('2025-11-10', 'arrests', 12)
      .withRow('2025-11-11', 'arrests', '30')
      .withRow('2025-11-12', 'arrests', 0)
      .bytes();

    const { report, figures } = await readXlsxReturn(bytes);

    expect(report.verdict).toBe('accepted');
    expect(figures?.byDay).toEqual({
      '2025-11-10': { arrests: 12 },
      '2025-11-11': { arrests: 30 },
      '2025-11-12': { arrests: 0 },
    });
  });

  it('rejects a decimal number with bad-value', async () => {
    const bytes = await anXlsxReturn().withRow('2025-11-10', 'arrests', 2.5).bytes();

    const { report } = await readXlsxReturn(bytes);

    expect(codesOf(report)).toEqual(['bad-value']);
    theProblem(report, 'bad-value', { row: 2, column: 'value', value: '2.5' });
  });

  it('rejects a huge number as too large, not as exponent notation', async () => {
    const bytes = await anXlsxReturn().withRow('2025-11-10', 'arrests', 1e21).bytes();

    const { report } = await readXlsxReturn(bytes);

    theProblem(report, 'value-too-large', { row: 2, value: '1000000000000000000000' });
  });

  it('reads rich text as its plain text', async () => {
    const bytes = await anXlsxReturn()
      .withCells('2025-11-10', { richText: [{ text: 'arr' }, { text: 'ests' }] }, null, 3)
      .bytes();

    const { report, figures } = await readXlsxReturn(bytes);

    expect(report.verdict).toBe('accepted');
    expect(figures?.totals).toEqual({ arrests: 3 });
  });

  it('reads an optional country column', async () => {
    const bytes = await anXlsxReturn()
      .withHeader('date', 'metric', 'breakdown', 'value', 'country')
      .withCells('2025-11-10', 'arrests', null, 3, 'BR')
      .withCells('2025-11-11', 'arrests', null, 3, 'FR')
      .bytes();

    const { report } = await readXlsxReturn(bytes);

    theProblem(report, 'country-mismatch', { row: 3, column: 'country', value: 'FR' });
  });
});

describe('formulas', () => {
  it('rejects a formula with formula-not-allowed at its row and column, quoting it', async () => {
    const bytes = await anXlsxReturn()
      .withRow('2025-11-10', 'arrests', 3)
      .withFormula('2025-11-11', 'arrests', 'SUM(D2:D2)', 3)
      .bytes();

    const { report } = await readXlsxReturn(bytes);

    expect(codesOf(report)).toEqual(['formula-not-allowed']);
    const p = theProblem(report, 'formula-not-allowed', { row: 3, column: 'value', value: '=SUM(D2:D2)' });
    expect(p.message).toContain('D3');
    expect(p.hint).toBe('Paste values only (Paste Special → Values), or type the number.');
  });

  it('never uses the result Excel cached with a formula', async () => {
    const bytes = await anXlsxReturn().withFormula('2025-11-10', 'arrests', '1+1', 2).bytes();

    const { report, figures } = await readXlsxReturn(bytes);

    expect(report.verdict).toBe('rejected');
    expect(figures).toBeNull();
  });

  it('rejects a formula in any column, naming that column', async () => {
    const bytes = await anXlsxReturn()
      .withCells('2025-11-10', { formula: 'LOWER("ARRESTS")', result: 'arrests' }, null, 3)
      .bytes();

    const { report } = await readXlsxReturn(bytes);

    theProblem(report, 'formula-not-allowed', { row: 2, column: 'metric', value: '=LOWER("ARRESTS")' });
  });

  it('rejects every cell of a formula filled down a column', async () => {
    const wb = anXlsxReturn()
      .withRow('2025-11-10', 'arrests', 1)
      .withRow('2025-11-11', 'arrests', 1)
      .withRow('2025-11-12', 'arrests', 1)
      .workbook();
    const ws = wb.getWorksheet('return')!;
    // exceljs writes a shared formula (its master, then cells pointing to it) as Excel does on fill-down.
    ws.getCell('D2').value = {
      formula: 'ROW()',
      result: 2,
      shareType: 'shared',
      ref: 'D2:D4',
    } as unknown as ExcelJS.CellFormulaValue;
    ws.getCell('D3').value = { sharedFormula: 'D2', result: 3 };
    ws.getCell('D4').value = { sharedFormula: 'D2', result: 4 };

    const { report } = await readXlsxReturn(await xlsxBytes(wb));

    expect(report.problems.map((p) => [p.code, p.row, p.column])).toEqual([
      ['formula-not-allowed', 2, 'value'],
      ['formula-not-allowed', 3, 'value'],
      ['formula-not-allowed', 4, 'value'],
    ]);
  });

  it('reads text that begins with "=" as text, which the metric check rejects', async () => {
    const typed = '=HYPERLINK("http://example.com","arrests")';
    const bytes = await anXlsxReturn().withRow('2025-11-10', typed, 3).bytes();

    const { report } = await readXlsxReturn(bytes);

    expect(codesOf(report)).toEqual(['unknown-metric']);
    theProblem(report, 'unknown-metric', { row: 2, column: 'metric', value: typed });
  });

  it.each(['+1', '-1', '@SUM(1)'])(
    'reads the value %s typed as text as text, not a formula',
    async (typed) => {
      const bytes = await anXlsxReturn().withRow('2025-11-10', 'arrests', typed).bytes();

      const { report } = await readXlsxReturn(bytes);

      expect(codesOf(report)).toEqual(['bad-value']);
    },
  );
});

describe('the layout of the sheet', () => {
  it('numbers rows as Excel shows them, counting empty rows', async () => {
    const bytes = await anXlsxReturn()
      .withoutHeader()
      .withCellsAt(3, 'date', 'metric', 'breakdown', 'value')
      .withCellsAt(4, '2025-11-10', 'arrests', null, 1)
      .withCellsAt(7, '2025-11-11', 'arest', null, 1)
      .bytes();

    const { report } = await readXlsxReturn(bytes);

    expect(report.counts.rows).toBe(2);
    theProblem(report, 'unknown-metric', { row: 7 });
  });

  it('reports header problems at the header’s own row', async () => {
    const bytes = await anXlsxReturn()
      .withoutHeader()
      .withCellsAt(2, 'date', 'metrik', 'value')
      .withCellsAt(3, '2025-11-10', 'arrests', 1)
      .bytes();

    const { report } = await readXlsxReturn(bytes);

    theProblem(report, 'unknown-column', { row: 2, column: 'column 2', value: 'metrik' });
    theProblem(report, 'missing-column', { row: 2, column: 'metric' });
  });

  it('skips rows of empty cells (formatted but blank)', async () => {
    const wb = anXlsxReturn().withRow('2025-11-10', 'arrests', 1).withBlankRow().workbook();
    const ws = wb.getWorksheet('return')!;
    ws.getCell('A3').numFmt = 'yyyy-mm-dd';
    ws.getCell('D3').value = '   ';
    ws.getCell('A4').value = '2025-11-11';
    ws.getCell('B4').value = 'arrests';
    ws.getCell('D4').value = 2;

    const { report, figures } = await readXlsxReturn(await xlsxBytes(wb));

    expect(report.verdict).toBe('accepted');
    expect(report.counts.rows).toBe(2);
    expect(figures?.totals).toEqual({ arrests: 3 });
  });

  it('reads cells left empty inside the table as empty', async () => {
    const bytes = await anXlsxReturn().withCells('2025-11-10', 'arrests').bytes();

    const { report } = await readXlsxReturn(bytes);

    theProblem(report, 'bad-value', { row: 2, column: 'value', value: '' });
  });

  it('rejects a value to the right of the table with wrong-field-count', async () => {
    const bytes = await anXlsxReturn().withCells('2025-11-10', 'arrests', null, 1, null, 'note').bytes();

    const { report } = await readXlsxReturn(bytes);

    expect(codesOf(report)).toEqual(['wrong-field-count']);
    theProblem(report, 'wrong-field-count', { row: 2, column: 'F', value: 'note' });
  });

  it('rejects a workbook with a header and no rows with no-rows', async () => {
    const bytes = await anXlsxReturn().bytes();

    const { report } = await readXlsxReturn(bytes);

    expect(codesOf(report)).toEqual(['no-rows']);
  });

  it('stops at the row limit with too-many-rows', async () => {
    const op = anOperation({ limits: { maxRows: 2 } });
    const bytes = await anXlsxReturn()
      .withRow('2025-11-10', 'arrests', 1)
      .withRow('2025-11-11', 'arrests', 1)
      .withRow('2025-11-12', 'arrests', 1)
      .bytes();

    const { report } = await readXlsxReturn(bytes, { operation: op });

    theProblem(report, 'too-many-rows', { row: 4 });
  });
});

describe('files that are not plain workbooks', () => {
  it('rejects a file larger than the operation allows, before unzipping it', async () => {
    const op = anOperation({ limits: { maxFileBytes: 1000 } });
    const bytes = await anXlsxReturn().withRow('2025-11-10', 'arrests', 1).bytes();

    const { report } = await readXlsxReturn(bytes, { operation: op, chunkSize: 100 });

    expect(codesOf(report)).toEqual(['file-too-large']);
  });

  it('rejects an empty file', async () => {
    const { report } = await readXlsxReturn(new Uint8Array(0));

    expect(codesOf(report)).toEqual(['empty-file']);
  });

  it('rejects random bytes named .xlsx as unsupported-format', async () => {
    const { report } = await readXlsxReturn(noise(4096));

    expect(codesOf(report)).toEqual(['unsupported-format']);
    expect(report.problems[0]?.hint).toContain('.xlsx');
  });

  it('recognises a CSV file named .xlsx', async () => {
    const csv = aReturn().withRow('2025-11-10', 'arrests', 1).csv();

    const { report } = await readXlsxReturn(utf8(csv));

    const p = theProblem(report, 'unsupported-format');
    expect(p.hint).toContain('.csv');
  });

  it('recognises an encrypted (password-protected) workbook', async () => {
    // Excel wraps an encrypted workbook in an OLE compound file.
    const cfb = Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, ...noise(2048)]);

    const { report } = await readXlsxReturn(cfb);

    const p = theProblem(report, 'unsupported-format');
    expect(p.message).toContain('password');
    expect(p.hint).toContain('password');
  });

  it('recognises a ZIP archive whose entries are encrypted', async () => {
    const bytes = withEncryptedFlag(await anXlsxReturn().withRow('2025-11-10', 'arrests', 1).bytes());

    const { report } = await readXlsxReturn(bytes);

    const p = theProblem(report, 'unsupported-format');
    expect(p.message).toContain('encrypted');
  });

  it('rejects a ZIP archive that is not a workbook', async () => {
    const zip = new JSZip();
    zip.file('return.csv', 'date,metric,value\n2025-11-10,arrests,1\n');

    const { report } = await readXlsxReturn(await zip.generateAsync({ type: 'uint8array' }));

    const p = theProblem(report, 'unsupported-format');
    expect(p.message).toContain('not an Excel workbook');
  });

  it('rejects a truncated workbook without throwing', async () => {
    const bytes = await anXlsxReturn().withRow('2025-11-10', 'arrests', 1).bytes();

    const { report } = await readXlsxReturn(bytes.slice(0, Math.floor(bytes.length / 2)));

    expect(codesOf(report)).toEqual(['unsupported-format']);
  });

  it('rejects a sheet that stops short rather than read it as a shorter return', async () => {
    const bytes = await rezipped(
      await anXlsxReturn().withRow('2025-11-10', 'arrests', 1).withRow('2025-11-11', 'arrests', 1).bytes(),
      async (zip) => {
        const xml = await zip.file('xl/worksheets/sheet1.xml')!.async('string');
        zip.file('xl/worksheets/sheet1.xml', xml.slice(0, xml.indexOf('<row r="3"')));
      },
    );

    const { report } = await readXlsxReturn(bytes);

    expect(codesOf(report)).toEqual(['unsupported-format']);
  });

  it('rejects a sheet whose XML is malformed without throwing', async () => {
    const bytes = await rezipped(
      await anXlsxReturn().withRow('2025-11-10', 'arrests', 1).bytes(),
      async (zip) => {
        const xml = await zip.file('xl/worksheets/sheet1.xml')!.async('string');
        zip.file(
          'xl/worksheets/sheet1.xml',
          xml.replace('<row r="2"', '<row r="2"><c r="A2"><v>1</row><row'),
        );
      },
    );

    const { report } = await readXlsxReturn(bytes);

    const p = theProblem(report, 'unsupported-format');
    expect(p.message).toContain('cannot be read');
  });

  it('rejects XML with a document type declaration (entity expansion)', async () => {
    const bytes = await rezipped(
      await anXlsxReturn().withRow('2025-11-10', 'arrests', 1).bytes(),
      async (zip) => {
        const xml = await zip.file('xl/worksheets/sheet1.xml')!.async('string');
        zip.file(
          'xl/worksheets/sheet1.xml',
          xml.replace('?>', '?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'),
        );
      },
    );

    const { report } = await readXlsxReturn(bytes);

    const p = theProblem(report, 'unsupported-format');
    expect(p.message).toContain('DTD');
  });
});

describe('macros', () => {
  it('rejects an .xlsm renamed .xlsx with macro-workbook', async () => {
    const bytes = await asMacroWorkbook(await anXlsxReturn().withRow('2025-11-10', 'arrests', 1).bytes());

    const { report } = await readXlsxReturn(bytes);

    expect(codesOf(report)).toEqual(['macro-workbook']);
    expect(theProblem(report, 'macro-workbook').hint).toContain('.xlsx');
  });

  it('rejects a workbook holding a VBA project, whatever its content types say', async () => {
    const plain = await anXlsxReturn().withRow('2025-11-10', 'arrests', 1).bytes();
    const bytes = await asMacroWorkbook(plain, { contentType: false });

    const { report } = await readXlsxReturn(bytes);

    expect(codesOf(report)).toEqual(['macro-workbook']);
  });

  it('rejects a workbook declared macro-enabled, even without a VBA project', async () => {
    const plain = await anXlsxReturn().withRow('2025-11-10', 'arrests', 1).bytes();
    const bytes = await asMacroWorkbook(plain, { vbaProject: false });

    const { report } = await readXlsxReturn(bytes);

    expect(codesOf(report)).toEqual(['macro-workbook']);
  });
});

describe('resource limits', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('rejects a ZIP bomb from its central directory, without inflating anything', async () => {
    const bytes = await withZipBomb(await anXlsxReturn().withRow('2025-11-10', 'arrests', 1).bytes());
    expect(bytes.length).toBeLessThan(1024 * 1024);
    // Every way jszip inflates an entry goes through the entry's internalStream.
    const entryPrototype = Object.getPrototypeOf((await JSZip.loadAsync(bytes)).file('xl/workbook.xml'));
    const inflating = vi.spyOn(entryPrototype, 'internalStream');

    const { report } = await readXlsxReturn(bytes);

    expect(codesOf(report)).toEqual(['zip-bomb']);
    expect(report.problems[0]?.message).toContain('xl/media/image1.png');
    expect(inflating).not.toHaveBeenCalled();
  });

  it('rejects a workbook whose parts add up to more than the total allowed', async () => {
    // 51 parts each declaring 1 MiB: none is checked for its ratio, together they pass 50 MiB.
    const names = Array.from({ length: 51 }, (_, i) => `xl/media/image${i + 1}.png`);
    let bytes = await rezipped(await anXlsxReturn().withRow('2025-11-10', 'arrests', 1).bytes(), (zip) => {
      for (const name of names) zip.file(name, 'tiny');
    });
    for (const name of names) bytes = withDeclaredSize(bytes, name, XLSX_LIMITS.ratioCheckedAboveBytes);
    expect(names.length * XLSX_LIMITS.ratioCheckedAboveBytes).toBeGreaterThan(XLSX_LIMITS.maxUnzippedBytes);

    const { report } = await readXlsxReturn(bytes);

    expect(codesOf(report)).toEqual(['zip-bomb']);
    expect(report.problems[0]?.message).toContain('expands to');
  });

  it('rejects a part that expands beyond the size its archive declares', async () => {
    const plain = await anXlsxReturn().withRow('2025-11-10', 'arrests', 1).bytes();
    const lying = withDeclaredSize(plain, 'xl/workbook.xml', 10);

    const { report } = await readXlsxReturn(lying);

    expect(codesOf(report)).toEqual(['zip-bomb']);
    expect(report.problems[0]?.message).toContain('xl/workbook.xml');
  });

  it('rejects a sheet with more cells than the operation allows with too-many-cells', async () => {
    const op = anOperation({ limits: { maxRows: 10 } });
    expect(maxCellsOf(op)).toBe(110);
    const bytes = await rezipped(await anXlsxReturn().bytes(), (zip) => {
      zip.file('xl/worksheets/sheet1.xml', sheetXmlWithCells(30, 4));
    });

    const { report } = await readXlsxReturn(bytes, { operation: op });

    expect(codesOf(report)).toEqual(['too-many-cells']);
  });

  it('caps the cells of any sheet, whatever the row limit', () => {
    expect(maxCellsOf(anOperation())).toBe(XLSX_LIMITS.maxCells);
  });

  it('ignores merged ranges, validations and names spanning a whole sheet (never expanded into cells)', async () => {
    let bytes = await anXlsxReturn().withRow('2025-11-10', 'arrests', 1).bytes();
    bytes = await rezipped(bytes, async (zip) => {
      const sheet = await zip.file('xl/worksheets/sheet1.xml')!.async('string');
      zip.file(
        'xl/worksheets/sheet1.xml',
        sheet.replace(
          '</sheetData>',
          '</sheetData><mergeCells count="1"><mergeCell ref="F1:XFD1048576"/></mergeCells><dataValidations count="1"><dataValidation type="whole" sqref="A1:XFD1048576"><formula1>0</formula1></dataValidation></dataValidations>',
        ),
      );
      const workbook = await zip.file('xl/workbook.xml')!.async('string');
      zip.file(
        'xl/workbook.xml',
        workbook.replace(
          '</sheets>',
          '</sheets><definedNames><definedName name="all">return!$A:$XFD</definedName></definedNames>',
        ),
      );
    });

    const { report } = await readXlsxReturn(bytes);

    expect(report.verdict).toBe('accepted');
  });
});

describe('the hostile xlsx catalogue (test/fixtures/hostile/xlsx-*.xlsx)', () => {
  const manifest = JSON.parse(
    readFileSync(new URL('../fixtures/hostile/xlsx-manifest.json', import.meta.url), 'utf8'),
  ) as { file: string; country: string; verdict: string; code: string | null; row?: number }[];

  it.each(manifest.map((e) => [e.file, e] as const))(
    'gives %s its listed verdict and first code',
    async (_file, e) => {
      const bytes = readFileSync(new URL(`../fixtures/hostile/${e.file}`, import.meta.url));

      const { report } = await readXlsxReturn(bytes, { operation: liberterraIII(), country: e.country });

      const first = report.problems[0];
      expect({ verdict: report.verdict, code: first?.code ?? null }).toEqual({
        verdict: e.verdict,
        code: e.code,
      });
      if (e.row !== undefined) expect(first?.row).toBe(e.row);
    },
  );
});
