import { describe, expect, it } from 'vitest';
import { formatOf, readReturn } from '../../shared/domain/read-return.ts';
import { anOperation, aReturn, readCsv, readJson, streamOf } from '../support/builders.ts';
import { codesOf, theProblem } from '../support/problems.ts';

// The operation of these tests is `anOperation()` (test-op: BR, FR and KE, 10–12 November 2025),
// and BR uploads. Streams come in 5-byte chunks unless a test says otherwise.

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Text as UTF-16 code units, little- or big-endian, without a byte-order mark. */
const utf16 = (text: string, order: 'le' | 'be'): Uint8Array => {
  const le = Buffer.from(text, 'utf16le');
  return order === 'le' ? le : le.swap16();
};
const BOM_LE = bytes(0xff, 0xfe);
const BOM_BE = bytes(0xfe, 0xff);
/** Text as Windows-1252 bytes; every character must be in Latin-1 (the € is written 0x80 by hand). */
const cp1252 = (text: string): Uint8Array => Buffer.from(text, 'latin1');

describe('formatOf', () => {
  it.each([
    ['return.csv', 'csv'],
    ['RETURN.CSV', 'csv'],
    ['br.2025-11-12.json', 'json'],
    ['return.xlsx', 'xlsx'],
    ['return.csv.txt', null],
    ['csv', null],
  ])('reads the format of %s as %s', (name, format) => {
    expect(formatOf(name)).toBe(format);
  });
});

describe('reading CSV text', () => {
  it('accepts a file that starts with a UTF-8 byte-order mark', async () => {
    const csv = aReturn().withRow('2025-11-10', 'arrests', 3).csv({ bom: true });

    const { report, figures } = await readCsv(csv);

    expect(report.verdict).toBe('accepted');
    expect(figures?.totals).toEqual({ arrests: 3 });
  });

  it('accepts a byte-order mark split across chunks', async () => {
    const csv = aReturn().withRow('2025-11-10', 'arrests', 3).csv({ bom: true });

    const { report } = await readCsv(csv, { chunkSize: 1 });

    expect(report.verdict).toBe('accepted');
  });

  it('accepts Windows (CRLF) line ends', async () => {
    const csv = aReturn()
      .withRow('2025-11-10', 'arrests', 3)
      .withRow('2025-11-11', 'arrests', 4)
      .csv({ eol: '\r\n' });

    const { report, figures } = await readCsv(csv);

    expect(report.verdict).toBe('accepted');
    expect(figures?.totals).toEqual({ arrests: 7 });
  });

  it('numbers rows as a spreadsheet shows them when a quoted cell spans lines', async () => {
    const csv = 'date,metric,value\r\n2025-11-10,"arrests\r\nfor trafficking",1\r\n2025-11-10,arest,1\r\n';

    const { report } = await readCsv(csv);

    expect(report.problems.map((p) => [p.row, p.code])).toEqual([
      [2, 'unknown-metric'],
      [3, 'unknown-metric'],
    ]);
  });

  it('skips blank lines but counts them, as a spreadsheet shows them', async () => {
    const csv = '\ndate,metric,value\n\n2025-11-10,arrests,1\n   \n2025-11-11,arest,1\n\n\n';

    const { report } = await readCsv(csv);

    expect(report.counts.rows).toBe(2);
    theProblem(report, 'unknown-metric', { row: 6 });
  });

  it('skips rows whose cells are all empty, as spreadsheets export blank rows', async () => {
    const csv = 'date,metric,breakdown,value\n2025-11-10,arrests,,1\n,,,\n , , , \n';

    const { report } = await readCsv(csv);

    expect(report.verdict).toBe('accepted');
    expect(report.counts.rows).toBe(1);
  });

  it('reads header names regardless of case and surrounding spaces', async () => {
    const csv = ' Date , METRIC ,Breakdown, Value\n2025-11-10,arrests,,3\n';

    const { report, figures } = await readCsv(csv);

    expect(report.verdict).toBe('accepted');
    expect(figures?.totals).toEqual({ arrests: 3 });
  });

  it('rejects a header without a value column', async () => {
    const { report } = await readCsv('date,metric,figure\n2025-11-10,arrests,3\n');

    theProblem(report, 'missing-column', { row: 1, column: 'value' });
    theProblem(report, 'unknown-column', { row: 1, column: 'column 3', value: 'figure' });
  });

  it('rejects a row with more cells than the header, suggesting quotes', async () => {
    const csv = 'date,metric,value\n2025-11-10,arrests,1,200\n';

    const { report } = await readCsv(csv);

    const p = theProblem(report, 'wrong-field-count', { row: 2, column: null });
    expect(p.message).toContain('4 cells');
    expect(p.hint).toContain('"1,200"');
  });

  it('rejects a row with fewer cells than the header', async () => {
    const { report } = await readCsv('date,metric,breakdown,value\n2025-11-10,arrests\n');

    theProblem(report, 'wrong-field-count', { row: 2 });
  });

  it('reads a quoted "1,200" as one cell with thousands separators', async () => {
    const csv = aReturn().withRow('2025-11-10', 'arrests', '1,200').csv();

    const { report } = await readCsv(csv);

    expect(csv).toContain('"1,200"');
    const p = theProblem(report, 'bad-value', { row: 2, column: 'value', value: '1,200' });
    expect(p.hint).toContain('1200');
  });

  it('rejects a quote that is never closed, pointing at the row', async () => {
    const csv = 'date,metric,value\n2025-11-10,arrests,1\n2025-11-11,"arrests,2\n2025-11-12,arrests,3\n';

    const { report, figures } = await readCsv(csv);

    expect(figures).toBeNull();
    const p = theProblem(report, 'malformed-csv', { row: 3 });
    expect(p.hint).toContain('quote');
  });

  it('rejects a stray quote inside a cell', async () => {
    const { report } = await readCsv('date,metric,value\n2025-11-10,arr"ests,1\n');

    theProblem(report, 'malformed-csv', { row: 2 });
  });

  it('stops at a very long single line', async () => {
    const csv = `date,metric,value\n2025-11-10,${'x'.repeat(100_000)}`;

    const { report } = await readCsv(csv, { chunkSize: 4096 });

    const p = theProblem(report, 'malformed-csv', { row: 2 });
    expect(p.message).toContain('longer than');
  });

  it('rejects a file with a header and no data rows, explaining how to report zero', async () => {
    const { report, figures } = await readCsv('date,metric,breakdown,value\n');

    expect(figures).toBeNull();
    const p = theProblem(report, 'no-rows', { row: null, column: null });
    expect(p.hint).toContain('value 0');
  });

  it('rejects a file of blank lines as having no rows', async () => {
    const { report } = await readCsv('\n\r\n\n');

    expect(codesOf(report)).toEqual(['no-rows']);
  });

  it('rejects a file holding only a byte-order mark as having no rows', async () => {
    const { report } = await readCsv('\uFEFF');

    expect(codesOf(report)).toEqual(['no-rows']);
  });

  it('stops reading the stream once the row limit is passed', async () => {
    const op = anOperation({ limits: { maxRows: 10 } });
    let pulled = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      yield utf8('date,metric,value\n');
      for (let i = 0; i < 100_000; i++) {
        pulled++;
        yield utf8(`2025-11-10,m${i},1\n`);
      }
    }

    const { report } = await readReturn(endless(), 'csv', { operation: op, country: 'BR' });

    theProblem(report, 'too-many-rows', { row: 12 });
    // The parser may buffer ahead (up to its 16 KiB high-water mark, some 900 of these rows), no more.
    expect(pulled).toBeLessThan(5_000);
  });
});

describe('encodings and binary files', () => {
  it('rejects an empty file', async () => {
    const { report, figures } = await readCsv('');

    expect(figures).toBeNull();
    expect(codesOf(report)).toEqual(['empty-file']);
    theProblem(report, 'empty-file', { row: null, column: null });
  });

  it('rejects an empty JSON file', async () => {
    const { report } = await readJson('');

    expect(codesOf(report)).toEqual(['empty-file']);
  });

  it('rejects text containing NUL bytes', async () => {
    const withNul = concat(utf8('date,metric,value\n2025-11-10,arrests,1'), bytes(0), utf8('\n'));

    const { report } = await readCsv(withNul);

    expect(codesOf(report)).toEqual(['not-utf8']);
  });

  it('rejects a file ending in the middle of a UTF-8 character', async () => {
    const cut = concat(utf8('date,metric,value\n2025-11-10,arr'), bytes(0xc3));

    const { report } = await readCsv(cut);

    expect(codesOf(report)).toEqual(['not-utf8']);
  });

  it('recognises a ZIP archive (an Excel workbook renamed .csv)', async () => {
    const zip = concat(bytes(0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00), utf8('[Content_Types].xml'));

    const { report } = await readCsv(zip);

    const p = theProblem(report, 'unsupported-format', { row: null });
    expect(p.hint).toContain('.xlsx');
  });

  it('recognises a ZIP archive whose signature is split across chunks', async () => {
    const zip = concat(bytes(0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00), utf8('[Content_Types].xml'));

    const { report } = await readCsv(zip, { chunkSize: 1 });

    expect(codesOf(report)).toEqual(['unsupported-format']);
  });

  it.each([1, 2, 3])('decodes multi-byte characters split across %d-byte chunks', async (chunkSize) => {
    const csv = aReturn().withRow('2025-11-10', 'arrêts_🚔', 1).csv();

    const { report } = await readCsv(csv, { chunkSize });

    theProblem(report, 'unknown-metric', { row: 2, value: 'arrêts_🚔' });
  });

  it('rejects a file larger than maxFileBytes', async () => {
    const op = anOperation({ limits: { maxFileBytes: 64 } });
    const csv = aReturn().withRow('2025-11-10', 'arrests', 1).withRow('2025-11-11', 'arrests', 1).csv();

    const { report, figures } = await readCsv(csv, { operation: op });

    expect(csv.length).toBeGreaterThan(64);
    expect(figures).toBeNull();
    theProblem(report, 'file-too-large', { row: null });
  });

  it('accepts a file of exactly maxFileBytes', async () => {
    const csv = aReturn().withRow('2025-11-10', 'arrests', 1).withRow('2025-11-11', 'arrests', 1).csv();
    const op = anOperation({ limits: { maxFileBytes: utf8(csv).length } });

    const { report } = await readCsv(csv, { operation: op });

    expect(report.verdict).toBe('accepted');
  });
});

describe('CSV separated by commas, semicolons or tabs', () => {
  // French, Spanish, Portuguese and German Excel save "CSV" with semicolons; "Unicode Text" uses tabs.

  it('accepts a return separated by semicolons, as European Excel saves it', async () => {
    const csv = 'date;metric;breakdown;value\r\n2025-11-10;arrests;;3\r\n2025-11-11;arrests;;4\r\n';

    const { report, figures } = await readCsv(csv);

    expect(report.verdict).toBe('accepted');
    expect(report.counts.warnings).toBe(0);
    expect(figures?.totals).toEqual({ arrests: 7 });
  });

  it('accepts a return separated by tabs', async () => {
    const csv =
      'date\tmetric\tbreakdown\tvalue\n2025-11-10\tvictims_safeguarded\t\t5\n2025-11-10\tvictims_safeguarded\texploitation=other\t2\n';

    const { report, figures } = await readCsv(csv);

    expect(report.verdict).toBe('accepted');
    expect(figures?.totals).toEqual({ victims_safeguarded: 5 });
  });

  it('reads a semicolon-separated header written in quotes', async () => {
    const csv = '"Date";"Metric";"Value"\n2025-11-10;arrests;3\n';

    const { report, figures } = await readCsv(csv);

    expect(report.verdict).toBe('accepted');
    expect(figures?.totals).toEqual({ arrests: 3 });
  });

  it('keeps a comma inside a semicolon-separated cell as part of the value', async () => {
    const csv = 'date;metric;value\n2025-11-10;arrests;1,5\n';

    const { report } = await readCsv(csv);

    theProblem(report, 'bad-value', { row: 2, column: 'value', value: '1,5' });
  });

  it('finds the separator after blank lines, numbering rows as a spreadsheet shows them', async () => {
    const csv = '\n\r\n  \ndate;metric;value\n2025-11-10;arest;1\n';

    const { report } = await readCsv(csv);

    theProblem(report, 'unknown-metric', { row: 5, value: 'arest' });
  });

  it('quotes a row with the wrong number of cells with its own separator', async () => {
    const csv = 'date;metric;value\n2025-11-10;arrests;1;200\n';

    const { report } = await readCsv(csv);

    const p = theProblem(report, 'wrong-field-count', { row: 2, value: '2025-11-10;arrests;1;200' });
    expect(p.hint).toContain('semicolon');
  });

  it.each([
    ['commas and semicolons', 'date;metric,breakdown;value'],
    ['semicolons and tabs', 'date;metric\tbreakdown;value'],
    ['all three', 'date,metric;breakdown\tvalue'],
  ])('rejects a header that mixes %s, naming the separators tried', async (_mix, header) => {
    const { report, figures } = await readCsv(`${header}\n2025-11-10,arrests,,1\n`);

    expect(figures).toBeNull();
    expect(codesOf(report)).toEqual(['ambiguous-delimiter']);
    const p = theProblem(report, 'ambiguous-delimiter', { row: 1, value: header });
    expect(p.message).toMatch(/comma.*semicolon.*tab/);
    expect(p.hint).toContain('date,metric,breakdown,value');
    expect(p.hint).toContain('CSV UTF-8');
  });

  it('reads a header split by one separator even when another appears inside quotes', async () => {
    const csv = 'date;metric;"value"\n2025-11-10;"arrests";"1"\n';

    const { report } = await readCsv(csv);

    expect(report.verdict).toBe('accepted');
  });

  it('keeps a header without any separator one unknown column', async () => {
    const { report } = await readCsv('date|metric|value\n2025-11-10|arrests|1\n');

    theProblem(report, 'unknown-column', { row: 1, value: 'date|metric|value' });
  });

  it('stops reading a semicolon file once the row limit is passed', async () => {
    const op = anOperation({ limits: { maxRows: 10 } });
    let pulled = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      yield utf8('date;metric;value\n');
      for (let i = 0; i < 100_000; i++) {
        pulled++;
        yield utf8(`2025-11-10;m${i};1\n`);
      }
    }

    const { report } = await readReturn(endless(), 'csv', { operation: op, country: 'BR' });

    theProblem(report, 'too-many-rows', { row: 12 });
    expect(pulled).toBeLessThan(5_000);
  });

  it('stops at a first line longer than the record limit without reading the whole file', async () => {
    let pulled = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 100_000; i++) {
        pulled++;
        yield utf8('date;metric;value;'.repeat(50));
      }
    }

    const { report } = await readReturn(endless(), 'csv', { operation: anOperation(), country: 'BR' });

    const p = theProblem(report, 'malformed-csv', { row: 1 });
    expect(p.message).toContain('longer than');
    expect(pulled).toBeLessThan(1_000);
  });

  it('counts blank lines before the header against the row limit, without holding them', async () => {
    const op = anOperation({ limits: { maxRows: 10 } });
    let pulled = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 100_000; i++) {
        pulled++;
        yield utf8(' ;;\n');
      }
    }

    const { report } = await readReturn(endless(), 'csv', { operation: op, country: 'BR' });

    theProblem(report, 'too-many-rows', { row: 11 });
    expect(pulled).toBeLessThan(5_000);
  });
});

describe('empty cells Excel adds around a table', () => {
  it('ignores empty columns after the header’s last name, with one warning', async () => {
    const csv = 'date,metric,breakdown,value,,,\n2025-11-10,arrests,,3,,,\n2025-11-11,arrests,,4,,,\n';

    const { report, figures } = await readCsv(csv);

    expect(report.verdict).toBe('accepted');
    expect(figures?.totals).toEqual({ arrests: 7 });
    const p = theProblem(report, 'empty-cells-ignored', { row: 1 });
    expect(p.message).toContain('3 rows');
    expect(p.hint).toMatch(/delete/i);
  });

  it('ignores empty trailing cells of data rows, in semicolon files too', async () => {
    const csv = 'date;metric;value\n2025-11-10;arrests;3;;\n2025-11-11;arrests;4\n';

    const { report, figures } = await readCsv(csv);

    expect(report.verdict).toBe('accepted');
    expect(figures?.totals).toEqual({ arrests: 7 });
    theProblem(report, 'empty-cells-ignored', { row: 2 });
  });

  it('warns once for a whole file of trailing commas', async () => {
    const rows = Array.from({ length: 3 }, (_, d) =>
      Array.from({ length: 300 }, (_, i) => `2025-11-1${d},m${i},,${i},,`),
    ).flat();
    const op = anOperation({
      metrics: Array.from({ length: 300 }, (_, i) => ({
        id: `m${i}`,
        label: `M${i}`,
        aggregation: 'sum',
      })),
      rules: [],
    });

    const { report } = await readCsv(`date,metric,breakdown,value,,\n${rows.join('\n')}\n`, {
      operation: op,
    });

    expect(report.verdict).toBe('accepted');
    expect(report.counts.warnings).toBe(1);
    expect(report.problems[0]?.message).toContain('901 rows');
  });

  it('rejects a value in a column the header leaves unnamed', async () => {
    const csv = 'date,metric,value,\n2025-11-10,arrests,3,\n2025-11-11,arrests,4,checked\n';

    const { report, figures } = await readCsv(csv);

    expect(figures).toBeNull();
    theProblem(report, 'wrong-field-count', { row: 3 });
  });

  it('still rejects an empty column between named ones', async () => {
    const { report } = await readCsv('date,,metric,value\n2025-11-10,,arrests,3\n');

    theProblem(report, 'unknown-column', { row: 1, column: 'column 2' });
  });

  it('ignores rows of only separators, with a warning naming the first and how many', async () => {
    const csv =
      'date;metric;breakdown;value\n2025-11-10;arrests;;1\n;;;\n2025-11-11;arrests;;2\n;;;\n ; ; ; \n';

    const { report, figures } = await readCsv(csv);

    expect(report.verdict).toBe('accepted');
    expect(figures?.totals).toEqual({ arrests: 3 });
    expect(report.counts.rows).toBe(2);
    const p = theProblem(report, 'empty-cells-ignored', { row: 3 });
    expect(p.message).toContain('3 rows');
  });

  it('counts rows of only separators before the header in the same warning', async () => {
    const csv = ',,,\ndate,metric,breakdown,value\n2025-11-10,arrests,,1\n';

    const { report } = await readCsv(csv);

    expect(report.verdict).toBe('accepted');
    theProblem(report, 'empty-cells-ignored', { row: 1 });
  });

  it('says nothing about plain blank lines', async () => {
    const { report } = await readCsv('date,metric,value\n\n2025-11-10,arrests,1\n\n');

    expect(report.verdict).toBe('accepted');
    expect(report.problems).toEqual([]);
  });
});

describe('CSV in UTF-16 (Excel "Unicode Text")', () => {
  const text = 'date\tmetric\tbreakdown\tvalue\r\n2025-11-10\tarrests\t\t3\r\n2025-11-11\tarrests\t\t4\r\n';

  it.each([
    ['le', 'little-endian', BOM_LE],
    ['be', 'big-endian', BOM_BE],
  ] as const)(
    'reads UTF-16 %s with its byte-order mark, warning that it was converted',
    async (order, name, bom) => {
      const { report, figures } = await readCsv(concat(bom, utf16(text, order)));

      expect(report.verdict).toBe('accepted');
      expect(figures?.totals).toEqual({ arrests: 7 });
      const p = theProblem(report, 'encoding-converted', { row: null, value: `utf-16${order}` });
      expect(p.message).toContain(`UTF-16 (${name}`);
      expect(p.hint).toContain('CSV UTF-8');
    },
  );

  it.each([1, 3])('reads UTF-16 streamed in %d-byte chunks, surrogate pairs included', async (chunkSize) => {
    const csv = 'date,metric,value\n2025-11-10,arrêts_🚔,1\n';

    const { report } = await readCsv(concat(BOM_LE, utf16(csv, 'le')), { chunkSize });

    theProblem(report, 'unknown-metric', { row: 2, value: 'arrêts_🚔' });
  });

  // A conversion already reported stays in the report of a file rejected later: both are true.

  it('rejects UTF-16 holding a NUL character', async () => {
    const { report } = await readCsv(
      concat(BOM_LE, utf16('date,metric,value\n2025-11-10,a\u0000,1\n', 'le')),
    );

    expect(report.verdict).toBe('rejected');
    const p = theProblem(report, 'not-utf8');
    expect(p.message).toContain('NUL');
  });

  it('rejects UTF-16 with an unpaired surrogate', async () => {
    const { report } = await readCsv(
      concat(BOM_BE, utf16('date,metric,value\n2025-11-10,\ud800x,1\n', 'be')),
    );

    const p = theProblem(report, 'not-utf8');
    expect(p.hint).toContain('CSV UTF-8');
  });

  it('rejects UTF-16 cut in the middle of a character', async () => {
    const whole = concat(BOM_LE, utf16('date,metric,value\n2025-11-10,arrests,1\n', 'le'));

    const { report } = await readCsv(whole.slice(0, -1));

    expect(report.verdict).toBe('rejected');
    theProblem(report, 'not-utf8');
  });

  it('rejects UTF-16 without a byte-order mark, saying what it looks like', async () => {
    const { report } = await readCsv(utf16('date,metric,value\n2025-11-10,arrests,1\n', 'le'));

    const p = theProblem(report, 'not-utf8');
    expect(p.message).toContain('UTF-16');
    expect(p.hint).toContain('CSV UTF-8');
  });

  it('rejects UTF-32 with its byte-order mark', async () => {
    const { report } = await readCsv(concat(bytes(0xff, 0xfe, 0, 0), utf8('d'), bytes(0, 0, 0)));

    const p = theProblem(report, 'not-utf8');
    expect(p.message).toContain('UTF-32');
  });

  it('still rejects a UTF-16 JSON file: JSON is UTF-8', async () => {
    const json = aReturn().withRow('2025-11-10', 'arrests', 3).json(anOperation(), 'BR');

    const { report } = await readJson(concat(BOM_LE, utf16(json, 'le')));

    const p = theProblem(report, 'not-utf8');
    expect(p.message).toContain('UTF-16');
  });
});

describe('CSV in Windows-1252 (Excel "CSV" on Western European Windows)', () => {
  it('reads text that is not UTF-8 as Windows-1252, warning to check accented names', async () => {
    // 0xA0 is a non-breaking space: trimmed from the cell like any space.
    const csv = cp1252('date;metric;value\r\n2025-11-10;arrests;3\u00a0\r\n2025-11-11;arrests;4\r\n');

    const { report, figures } = await readCsv(csv);

    expect(report.verdict).toBe('accepted');
    expect(figures?.totals).toEqual({ arrests: 7 });
    const p = theProblem(report, 'encoding-converted', { value: 'windows-1252' });
    expect(p.message).toContain('not valid UTF-8');
    expect(p.message).toContain('Windows-1252');
    expect(p.hint).toContain('accented');
    expect(p.hint).toContain('CSV UTF-8');
  });

  it('shows accented cells as written', async () => {
    const csv = concat(
      cp1252('date,metric,value\n2025-11-10,arrêts,1\n2025-11-10,'),
      bytes(0x80),
      utf8(',1\n'),
    );

    const { report } = await readCsv(csv);

    expect(report.problems.map((p) => [p.code, p.row, p.value])).toEqual([
      ['encoding-converted', null, 'windows-1252'],
      ['unknown-metric', 2, 'arrêts'],
      ['unknown-metric', 3, '€'],
    ]);
  });

  it('switches to Windows-1252 at the first byte that is not UTF-8, however late', async () => {
    const ascii = Array.from({ length: 5_000 }, (_, i) => `2025-11-10,arrests,${i % 2 === 0 ? 'x' : ''},1`);
    const csv = cp1252(`date,metric,breakdown,value\n${ascii.join('\n')}\n2025-11-11,côte,,1\n`);
    const op = anOperation({ limits: { maxProblemsListed: 10_000 } });

    const { report } = await readCsv(csv, { chunkSize: 4096, operation: op });

    expect(report.counts.byCode['encoding-converted']).toBe(1);
    theProblem(report, 'unknown-metric', { row: 5_002, value: 'côte' });
  });

  it.each([1, 2])('switches when the first foreign byte arrives in %d-byte chunks', async (chunkSize) => {
    const csv = cp1252('date,metric,value\n2025-11-10,é,1\n2025-11-10,ü,1\n');

    const { report } = await readCsv(csv, { chunkSize });

    expect(report.problems.map((p) => p.value)).toEqual(['windows-1252', 'é', 'ü']);
  });

  it('rejects a file that mixes UTF-8 and another encoding', async () => {
    const csv = concat(utf8('date,metric,value\n2025-11-10,arrêts,1\n2025-11-10,'), cp1252('côte,1\n'));

    const { report, figures } = await readCsv(csv);

    expect(figures).toBeNull();
    const p = theProblem(report, 'not-utf8');
    expect(p.message).toContain('mixes');
    expect(p.hint).toContain('CSV UTF-8');
  });

  it.each([
    ['an overlong "/" (0xC0 0xAF)', bytes(0xc0, 0xaf)],
    ['an encoded surrogate (0xED 0xA0 0x80)', bytes(0xed, 0xa0, 0x80)],
    ['a code point above U+10FFFF (0xF4 0x90 0x80 0x80)', bytes(0xf4, 0x90, 0x80, 0x80)],
  ])('rejects %s instead of reading it as Windows-1252', async (_case, seq) => {
    const csv = concat(utf8('date,metric,value\n2025-11-10,a'), seq, utf8(',1\n'));

    const { report } = await readCsv(csv);

    expect(codesOf(report)).toEqual(['not-utf8']);
  });

  it.each(['81', '8D', '8F', '90', '9D'])(
    'rejects byte 0x%s, which Windows-1252 leaves undefined',
    async (hex) => {
      const byte = bytes(Number.parseInt(hex, 16));
      const csv = concat(cp1252('date,metric,value\n2025-11-10,é'), byte, utf8(',1\n'));

      const { report, figures } = await readCsv(csv);

      expect(figures).toBeNull();
      const p = theProblem(report, 'not-utf8');
      expect(p.message).toContain(`0x${hex}`);
    },
  );

  it.each([
    ['before', concat(utf8('date,metric,value\n\u0001'), bytes(0xe9), utf8('\n'))],
    ['after', concat(utf8('date,metric,value\n'), bytes(0xe9), utf8('\u0002\n'))],
  ])('rejects control characters %s the first foreign byte: binary, not text', async (_where, csv) => {
    const { report, figures } = await readCsv(csv);

    expect(figures).toBeNull();
    const p = theProblem(report, 'not-utf8');
    expect(p.message).toContain('binary');
  });

  it('rejects a file ending in the middle of a UTF-8 character even if it could be Windows-1252', async () => {
    const { report } = await readCsv(
      concat(utf8('date,metric,value\n2025-11-10,arrests,1\nBogot'), bytes(0xe1)),
    );

    expect(codesOf(report)).toEqual(['not-utf8']);
  });

  it('never reads JSON as Windows-1252', async () => {
    const json = concat(
      utf8('{"rows":[{"date":"2025-11-10","metric":"arr'),
      bytes(0xea),
      utf8('ts","value":1}]}'),
    );

    const { report } = await readJson(json);

    const p = theProblem(report, 'not-utf8');
    expect(p.hint).toContain('UTF-8');
  });
});

describe('reading JSON', () => {
  it('accepts a valid return document', async () => {
    const op = anOperation();
    const json = aReturn()
      .withRow('2025-11-10', 'arrests', 3)
      .withRow('2025-11-10', 'victims_safeguarded', 2)
      .withRow('2025-11-10', 'victims_safeguarded', 2, 'exploitation=other')
      .json(op, 'BR');

    const { report, figures } = await readJson(json, { operation: op });

    expect(report.verdict).toBe('accepted');
    expect(report.counts.rows).toBe(3);
    expect(figures?.totals).toEqual({ arrests: 3, victims_safeguarded: 2 });
  });

  it('accepts a JSON file that starts with a byte-order mark', async () => {
    const json = `\uFEFF${aReturn().withRow('2025-11-10', 'arrests', 3).json(anOperation(), 'BR')}`;

    const { report } = await readJson(json);

    expect(report.verdict).toBe('accepted');
  });

  it('accepts a document that leaves out the country', async () => {
    const json = JSON.stringify({
      operation: 'test-op',
      rows: [{ date: '2025-11-10', metric: 'arrests', value: 1 }],
    });

    const { report } = await readJson(json);

    expect(report.verdict).toBe('accepted');
  });

  it('accepts the uploader’s country in lower case', async () => {
    const json = aReturn().withRow('2025-11-10', 'arrests', 3).json(anOperation(), 'br');

    const { report } = await readJson(json);

    expect(report.verdict).toBe('accepted');
  });

  it('numbers JSON rows by their 1-based position in "rows"', async () => {
    const json = aReturn()
      .withRow('2025-11-10', 'arrests', 3)
      .withRow('2025-11-11', 'arrests', 3)
      .withRow('2025-11-40', 'arrests', 3)
      .json(anOperation(), 'BR');

    const { report } = await readJson(json);

    theProblem(report, 'bad-date', { row: 3, column: 'date' });
  });

  it('rejects a document for another operation', async () => {
    const json = aReturn().withRow('2025-11-10', 'arrests', 3).json('liberterra-ii', 'BR');

    const { report } = await readJson(json);

    const p = theProblem(report, 'operation-mismatch', {
      row: null,
      column: 'operation',
      value: 'liberterra-ii',
    });
    expect(p.hint).toContain('"test-op"');
  });

  it('rejects a document for another country', async () => {
    const json = aReturn().withRow('2025-11-10', 'arrests', 3).json(anOperation(), 'FR');

    const { report } = await readJson(json, { country: 'BR' });

    const p = theProblem(report, 'country-mismatch', { row: null, column: 'country', value: '"FR"' });
    expect(p.hint).toContain('"BR"');
  });

  it('rejects a row for another country', async () => {
    const json = JSON.stringify({
      operation: 'test-op',
      country: 'BR',
      rows: [{ date: '2025-11-10', metric: 'arrests', value: 1, country: 'KE' }],
    });

    const { report } = await readJson(json);

    theProblem(report, 'country-mismatch', { row: 1, column: 'country', value: 'KE' });
  });

  it('rejects a document without rows', async () => {
    const { report } = await readJson(JSON.stringify({ operation: 'test-op', country: 'BR' }));

    const p = theProblem(report, 'json-shape', { row: null, column: 'rows' });
    expect(p.hint).toContain('"rows"');
  });

  it('rejects a document whose rows list is empty', async () => {
    const { report } = await readJson(JSON.stringify({ operation: 'test-op', country: 'BR', rows: [] }));

    expect(codesOf(report)).toEqual(['no-rows']);
  });

  it('rejects a document that is not an object', async () => {
    const { report } = await readJson(JSON.stringify([{ date: '2025-11-10', metric: 'arrests', value: 1 }]));

    theProblem(report, 'json-shape', { row: null });
  });

  it('rejects a row that is not an object', async () => {
    const json = JSON.stringify({
      operation: 'test-op',
      rows: [{ date: '2025-11-10', metric: 'arrests', value: 1 }, ['2025-11-11', 'arrests', 1]],
    });

    const { report } = await readJson(json);

    theProblem(report, 'json-shape', { row: 2 });
  });

  it('rejects fields a document does not have', async () => {
    const json = JSON.stringify({ operation: 'test-op', country: 'BR', notes: 'draft', rows: [] });

    const { report } = await readJson(json);

    theProblem(report, 'unknown-column', { row: null, column: 'notes' });
  });

  it('rejects fields a row does not have', async () => {
    const json = JSON.stringify({
      operation: 'test-op',
      rows: [{ date: '2025-11-10', metric: 'arrests', value: 1, comment: 'estimate' }],
    });

    const { report } = await readJson(json);

    const p = theProblem(report, 'unknown-column', { row: 1, column: 'comment' });
    expect(p.hint).toContain('date, metric, value');
  });

  it('reports __proto__ and constructor keys as unknown fields without polluting any prototype', async () => {
    const json =
      '{"operation":"test-op","__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},' +
      '"rows":[{"date":"2025-11-10","metric":"arrests","value":1,"__proto__":{"polluted":"yes"}},' +
      '{"date":"2025-11-10","metric":"constructor","value":1},' +
      '{"date":"2025-11-10","metric":"__proto__","value":1}]}';

    const { report } = await readJson(json);

    expect(report.problems.map((p) => [p.row, p.code, p.column])).toEqual([
      [null, 'unknown-column', '__proto__'],
      [null, 'unknown-column', 'constructor'],
      [1, 'unknown-column', '__proto__'],
      [2, 'unknown-metric', 'metric'],
      [3, 'unknown-metric', 'metric'],
    ]);
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps figures free of inherited keys when the metric is valid', async () => {
    const json = '{"operation":"test-op","rows":[{"date":"2025-11-10","metric":"arrests","value":1}]}';

    const { figures } = await readJson(json);

    expect(figures?.totals).toEqual({ arrests: 1 });
    expect(Object.keys(figures?.byDay ?? {})).toEqual(['2025-11-10']);
  });

  it('rejects a truncated document', async () => {
    const json = aReturn().withRow('2025-11-10', 'arrests', 3).json(anOperation(), 'BR');

    const { report } = await readJson(json.slice(0, -10));

    const p = theProblem(report, 'malformed-json', { row: null });
    expect(p.hint).toContain('cut short');
  });

  it('rejects a value written as a JSON string, saying to write a number', async () => {
    const json = aReturn().withRow('2025-11-10', 'arrests', '12').json(anOperation(), 'BR');

    const { report, figures } = await readJson(json);

    expect(figures).toBeNull();
    const p = theProblem(report, 'bad-value', { row: 1, column: 'value', value: '12' });
    expect(p.hint).toContain('"value": 12');
  });

  it.each([
    ['a fraction', 12.5],
    ['a negative number', -1],
    ['null', null],
    ['a boolean', true],
  ])('rejects a value that is %s', async (_case, value) => {
    const json = JSON.stringify({
      operation: 'test-op',
      rows: [{ date: '2025-11-10', metric: 'arrests', value }],
    });

    const { report } = await readJson(json);

    theProblem(report, 'bad-value', { row: 1, column: 'value' });
  });

  it('rejects a row without a value', async () => {
    const json = JSON.stringify({ operation: 'test-op', rows: [{ date: '2025-11-10', metric: 'arrests' }] });

    const { report } = await readJson(json);

    theProblem(report, 'bad-value', { row: 1, column: 'value', value: '' });
  });

  it.each([
    ['a huge number', '1e300'],
    ['one past the largest exact integer', '9007199254740993'],
  ])('rejects %s as too large', async (_case, literal) => {
    const json = `{"operation":"test-op","rows":[{"date":"2025-11-10","metric":"arrests","value":${literal}}]}`;

    const { report } = await readJson(json);

    theProblem(report, 'value-too-large', { row: 1, column: 'value' });
  });

  it('rejects a date that is not a string', async () => {
    const json = JSON.stringify({
      operation: 'test-op',
      rows: [{ date: 20251110, metric: 'arrests', value: 1 }],
    });

    const { report } = await readJson(json);

    theProblem(report, 'bad-date', { row: 1, column: 'date', value: '20251110' });
  });

  it('accepts a null breakdown as the day’s total', async () => {
    const json = JSON.stringify({
      operation: 'test-op',
      rows: [{ date: '2025-11-10', metric: 'arrests', breakdown: null, value: 1 }],
    });

    const { report } = await readJson(json);

    expect(report.verdict).toBe('accepted');
  });

  it('rejects JSON that is not UTF-8', async () => {
    const latin1 = concat(utf8('{"operation":"test-op","country":"C'), bytes(0xf4), utf8('te","rows":[]}'));

    const { report } = await readJson(latin1);

    expect(codesOf(report)).toEqual(['not-utf8']);
  });

  it('reads a document streamed one byte at a time', async () => {
    const json = aReturn().withRow('2025-11-10', 'arrests', 3).json(anOperation(), 'BR');

    const { figures } = await readJson(json, { chunkSize: 1 });

    expect(figures?.totals).toEqual({ arrests: 3 });
  });
});

describe('JSON objects that give a key twice', () => {
  // JSON.parse keeps the last of two equal keys without a word; other readers keep the first.
  // A return whose meaning depends on the reader is rejected, whole.

  it('rejects a row that gives its value twice, counting nothing', async () => {
    const json =
      '{"operation":"test-op","rows":[{"date":"2025-11-10","metric":"arrests","value":1,"value":999}]}';

    const { report, figures } = await readJson(json);

    expect(report.verdict).toBe('rejected');
    expect(figures).toBeNull();
    const p = theProblem(report, 'duplicate-key', { row: 1, column: 'value', value: '999' });
    expect(p.message).toContain('1');
    expect(p.hint).toContain('once');
  });

  it('rejects a document that gives a top-level field twice', async () => {
    const json =
      '{"operation":"test-op","country":"FR","country":"BR","rows":[{"date":"2025-11-10","metric":"arrests","value":1}]}';

    const { report } = await readJson(json);

    theProblem(report, 'duplicate-key', { row: null, column: 'country', value: '"BR"' });
  });

  it('recognises a key written with escapes as the same key', async () => {
    const json =
      '{"operation":"test-op","rows":[{"date":"2025-11-10","metric":"arrests","value":1,"\\u0076alue":999}]}';

    const { report } = await readJson(json);

    theProblem(report, 'duplicate-key', { row: 1, column: 'value', value: '999' });
  });

  it('locates a repeated key by its row, one problem per repetition', async () => {
    const json =
      '{"operation":"test-op","rows":[{"date":"2025-11-10","metric":"arrests","value":1},' +
      '{"date":"2025-11-11","date":"2025-11-12","metric":"arrests","value":2},' +
      '{"date":"2025-11-11","metric":"arrests","metric":"arrests","metric":"arrests","value":3}]}';

    const { report } = await readJson(json);

    expect(report.problems.map((p) => [p.code, p.row, p.column])).toEqual([
      ['duplicate-key', 2, 'date'],
      ['duplicate-key', 3, 'metric'],
      ['duplicate-key', 3, 'metric'],
    ]);
  });

  it('accepts the same keys in different rows, and key-like text inside strings', async () => {
    const json =
      '{"operation":"test-op","rows":[{"date":"2025-11-10","metric":"arrests","value":1},' +
      '{"date":"2025-11-11","metric":"arrests","breakdown":null,"value":2}],' +
      '"country":"BR"}';
    const tricky = json.replace('"country":"BR"', '"country":"BR\\",\\"country\\":{\\"x\\":1}"');

    const { report, figures } = await readJson(json);
    const second = await readJson(tricky);

    expect(report.verdict).toBe('accepted');
    expect(figures?.totals).toEqual({ arrests: 3 });
    expect(codesOf(second.report)).toEqual(['country-mismatch']);
  });
});

describe('JSON keys and values echoed in the report', () => {
  // Keys are not cells: no cell limit stops them. Whatever a document holds, the report stays small.
  const huge = 'k'.repeat(20 * 1024 * 1024);
  const sizeOf = (report: unknown): number => JSON.stringify(report).length;
  const options = {
    operation: anOperation({ limits: { maxFileBytes: 128 * 1024 * 1024 } }),
    chunkSize: 1024 * 1024,
  };

  it('cuts a 20 MB unknown key short, in the column and in the message', async () => {
    const json = `{"operation":"test-op","${huge}":1,"rows":[{"date":"2025-11-10","metric":"arrests","value":1,"${huge}x":2}]}`;

    const { report } = await readJson(json, options);

    expect(codesOf(report)).toEqual(['unknown-column', 'unknown-column']);
    expect(sizeOf(report)).toBeLessThan(10_000);
    expect(report.problems[0]?.column).toBe(`${'k'.repeat(80)}… (${huge.length} characters)`);
    expect(report.problems[0]?.message).toContain(`"${'k'.repeat(80)}… (${huge.length} characters)"`);
  });

  it('cuts a 20 MB operation or country value short', async () => {
    const json = `{"operation":"${huge}","country":"${huge}","rows":[{"date":"2025-11-10","metric":"arrests","value":1}]}`;

    const { report } = await readJson(json, options);

    expect(codesOf(report)).toEqual(['operation-mismatch', 'country-mismatch']);
    expect(sizeOf(report)).toBeLessThan(10_000);
  });

  it('cuts a 20 MB repeated key short', async () => {
    const json = `{"operation":"test-op","rows":[{"date":"2025-11-10","metric":"arrests","value":1,"${huge}":1,"${huge}":2}]}`;

    const { report } = await readJson(json, options);

    expect(codesOf(report)).toContain('duplicate-key');
    expect(sizeOf(report)).toBeLessThan(10_000);
  });
});

describe('streamOf (test support)', () => {
  it('cuts a multi-byte character across chunks', async () => {
    const chunks: Uint8Array[] = [];
    for await (const chunk of streamOf('é', 1)) chunks.push(chunk);

    expect(chunks).toEqual([bytes(0xc3), bytes(0xa9)]);
  });
});
