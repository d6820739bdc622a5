/**
 * The hostile-input catalogue: files an agency (or an attacker with an agency's upload rights)
 * might send, each with the verdict and first error code optally must give it. Run
 * `npx tsx test/support/make-hostile.ts` to (re)write `test/fixtures/hostile/` and its
 * `manifest.json`; the files are checked in. Cases that need size (megabytes) are not checked in:
 * `generatedHostileCases` builds them in memory for `test/integration/hostile.test.ts`.
 *
 * Files named `xlsx-*` and `xlsx-manifest.json` in the same folder belong to the Excel catalogue
 * and are never touched here.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { crc32 } from 'node:zlib';
import type { ProblemCode } from '../../shared/domain/problems.ts';

/** One line of `manifest.json`. `row`, when given, is where the first error must be reported. */
export type HostileEntry = {
  file: string;
  country: string;
  verdict: 'accepted' | 'rejected';
  code: ProblemCode | null;
  row?: number;
  why: string;
};

/** A catalogue entry and its bytes (built on demand: some are megabytes). */
export type HostileCase = HostileEntry & { bytes: () => Buffer };

export const HOSTILE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/hostile');

/** The shipped Liberterra III limits: the size cases are built from them, not from copies. */
const LIMITS = (
  JSON.parse(readFileSync(new URL('../../operations/liberterra-iii.json', import.meta.url), 'utf8')) as {
    limits: { maxFileBytes: number; maxRows: number; maxCellChars: number };
  }
).limits;

const HEADER = 'date,metric,breakdown,value';
/** A valid Liberterra III return (arrests 12, trafficking 5, victims 9 of which 3 forced labour, officers 310). */
const VALID_ROWS = [
  '2025-11-12,arrests,,12',
  '2025-11-12,arrests_trafficking_smuggling,,5',
  '2025-11-12,victims_safeguarded,,9',
  '2025-11-12,victims_safeguarded,exploitation=forced_labour,3',
  '2025-11-12,officers_deployed,,310',
  '2025-11-13,arrests,,0',
];
const VALID_JSON_ROWS = [
  { date: '2025-11-12', metric: 'arrests', value: 12 },
  { date: '2025-11-12', metric: 'victims_safeguarded', value: 9 },
  { date: '2025-11-12', metric: 'victims_safeguarded', breakdown: 'exploitation=forced_labour', value: 3 },
  { date: '2025-11-13', metric: 'arrests', value: 0 },
];

const text = (s: string): Buffer => Buffer.from(s, 'utf8');
/** A CSV return: the header, then the lines, each ended by `eol`. */
const csv = (lines: readonly string[], header = HEADER, eol = '\n'): Buffer =>
  text([header, ...lines].map((l) => `${l}${eol}`).join(''));
/** The valid return with one more row (the row under test is row 8 in a spreadsheet). */
const validPlus = (line: string): Buffer => csv([...VALID_ROWS, line]);
const json = (doc: unknown): Buffer => text(JSON.stringify(doc, null, 2));
const jsonReturn = (rows: unknown[], extra: Record<string, unknown> = {}): Buffer =>
  json({ operation: 'liberterra-iii', country: 'BR', ...extra, rows });
/** The row under test is the 8th line of `validPlus`: header + 6 valid rows. */
const AT = 8;

/** Deterministic pseudo-random bytes (mulberry32), so the binary fixture is reproducible. */
function randomBytes(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let a = seed >>> 0;
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (t ^ (t >>> 14)) & 0xff;
  }
  return out;
}

/** A real (stored, uncompressed) ZIP archive holding one file, as an .xlsx or a zipped CSV is. */
function zipOf(name: string, content: Buffer): Buffer {
  const fileName = Buffer.from(name, 'utf8');
  const crc = crc32(content);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed
  local.writeUInt16LE(0x0800, 6); // UTF-8 names
  local.writeUInt16LE(0, 8); // stored
  local.writeUInt16LE(0, 10); // time 00:00
  local.writeUInt16LE(((2025 - 1980) << 9) | (11 << 5) | 12, 12); // 2025-11-12
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(content.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  local.writeUInt16LE(0, 28);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0x0800, 8);
  central.writeUInt16LE(0, 10);
  central.writeUInt16LE(0, 12);
  central.writeUInt16LE(((2025 - 1980) << 9) | (11 << 5) | 12, 14);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(content.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  central.writeUInt32LE(0, 42); // offset of the local header
  const centralOffset = local.length + fileName.length + content.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fileName.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, fileName, content, central, fileName, end]);
}

/** The smallest real PNG: a 1×1 transparent pixel. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

const utf16le = (s: string): Buffer => Buffer.from(s, 'utf16le');
const utf16be = (s: string): Buffer => {
  const le = utf16le(s);
  for (let i = 0; i + 1 < le.length; i += 2) {
    const b = le[i]!;
    le[i] = le[i + 1]!;
    le[i + 1] = b;
  }
  return le;
};
const VALID_TEXT = csv(VALID_ROWS).toString('utf8');
/** Text as Windows-1252 bytes (every character used here is in Latin-1). */
const cp1252 = (s: string): Buffer => Buffer.from(s, 'latin1');
/** The valid return with another separator (no cell of it holds one). */
const separatedBy = (sep: string, eol = '\n'): string =>
  [HEADER, ...VALID_ROWS].map((l) => `${l.replaceAll(',', sep)}${eol}`).join('');

/** A nested array `depth` levels deep, as JSON text. */
const nestedArrays = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

type Case = Omit<HostileCase, 'bytes'> & { bytes: Buffer | (() => Buffer) };
const make = (
  file: string,
  country: string,
  verdict: HostileEntry['verdict'],
  code: ProblemCode | null,
  why: string,
  bytes: Buffer | (() => Buffer),
  row?: number,
): Case => ({ file, country, verdict, code, ...(row === undefined ? {} : { row }), why, bytes });
const rejected = (file: string, code: ProblemCode, why: string, bytes: Buffer, row?: number): Case =>
  make(file, 'BR', 'rejected', code, why, bytes, row);
/** Accepted files go to countries of their own, so each one's figures can be checked in the rollup. */
const accepted = (file: string, country: string, why: string, bytes: Buffer): Case =>
  make(file, country, 'accepted', null, why, bytes);

/** The checked-in catalogue (every file is small). */
export function hostileFixtures(): HostileCase[] {
  const cases: Case[] = [
    // ── The file as a whole ────────────────────────────────────────────────────────────────
    rejected('empty.csv', 'empty-file', 'Zero bytes is not a report of zero.', Buffer.alloc(0)),
    rejected('empty.json', 'empty-file', 'Zero bytes, JSON extension.', Buffer.alloc(0)),
    rejected('header-only.csv', 'no-rows', 'A header and no data rows.', csv([])),
    rejected(
      'blank-lines-only.csv',
      'no-rows',
      'Only blank and whitespace lines: no header, no rows.',
      text('\n\n   \n\t\n\n'),
    ),
    rejected(
      'binary-png.csv',
      'not-utf8',
      'A PNG image renamed .csv (binary: NUL bytes, invalid UTF-8).',
      PNG,
    ),
    rejected(
      'binary-random.csv',
      'not-utf8',
      '4 KB of random bytes named .csv.',
      (() => {
        const b = randomBytes(4096, 7);
        b[0] = 0x41; // not a UTF-16 or ZIP signature: the content check must catch it
        b[1] = 0x42;
        return b;
      })(),
    ),
    rejected(
      'utf16le-no-bom.csv',
      'not-utf8',
      'UTF-16 LE without a byte-order mark: every other byte is NUL.',
      utf16le(VALID_TEXT),
    ),
    rejected(
      'latin1.csv',
      'bad-breakdown',
      'Latin-1 text: "Côte" with ô as the single byte 0xF4. Not UTF-8, so read as Windows-1252 (a warning says so): the report shows "Côte" in row 8, refused as a breakdown arrests does not have.',
      cp1252(`${VALID_TEXT}2025-11-14,arrests,Côte,1\n`),
      AT,
    ),
    rejected(
      'utf8-mixed-windows-1252.csv',
      'not-utf8',
      'Valid UTF-8 ("arrêts" in row 2), then a Windows-1252 byte (ô of "Côte" as 0xF4): a file in two encodings is not guessed at.',
      Buffer.concat([text(`${HEADER}\n2025-11-12,arrêts,,1\n`), cp1252('2025-11-12,arrests,Côte,1\n')]),
    ),
    rejected(
      'utf8-surrogate.csv',
      'not-utf8',
      'A UTF-16 surrogate encoded in UTF-8 (0xED 0xA0 0x80, CESU-8): shaped like UTF-8 but forbidden, never read as Windows-1252.',
      Buffer.concat([
        text(`${VALID_TEXT}2025-11-14,arrests,`),
        Buffer.from([0xed, 0xa0, 0x80]),
        text(',1\n'),
      ]),
    ),
    rejected(
      'windows-1252-undefined-byte.csv',
      'not-utf8',
      'Not UTF-8, and byte 0x81 is not a character in Windows-1252 either.',
      Buffer.concat([cp1252(`${VALID_TEXT}2025-11-14,arrests,é`), Buffer.from([0x81]), text(',1\n')]),
    ),
    rejected(
      'binary-no-nul.csv',
      'not-utf8',
      '4 KB of random bytes with no NUL byte: not UTF-8, and control bytes make it binary rather than Windows-1252.',
      (() => {
        const b = randomBytes(4096, 11);
        b[0] = 0x41;
        b[1] = 0x42;
        for (let i = 0; i < b.length; i++) if (b[i] === 0) b[i] = 0x01;
        return b;
      })(),
    ),
    rejected(
      'utf32le-bom.csv',
      'not-utf8',
      'A valid return in UTF-32 LE with its byte-order mark (FF FE 00 00, which starts like UTF-16).',
      Buffer.concat([
        Buffer.from([0xff, 0xfe, 0, 0]),
        ...[...VALID_TEXT].map((ch) => {
          const b = Buffer.alloc(4);
          b.writeUInt32LE(ch.codePointAt(0)!);
          return b;
        }),
      ]),
    ),
    rejected(
      'utf8-cut-mid-character.csv',
      'not-utf8',
      'Ends with the first byte of a two-byte UTF-8 character.',
      Buffer.concat([csv(VALID_ROWS), Buffer.from([0xc3])]),
    ),
    rejected(
      'utf8-overlong.csv',
      'not-utf8',
      'An overlong UTF-8 encoding of "/" (0xC0 0xAF), a classic filter bypass.',
      Buffer.concat([text(`${VALID_TEXT}2025-11-14,arrests,`), Buffer.from([0xc0, 0xaf]), text(',1\n')]),
    ),
    rejected(
      'nul-bytes.csv',
      'not-utf8',
      'A valid return with a NUL byte inside a cell.',
      text(`${VALID_TEXT}2025-11-14,arrests\u0000,,1\n`),
    ),
    rejected(
      'zip-named.csv',
      'unsupported-format',
      'A ZIP archive (PK header; an Excel workbook is one) with a .csv extension.',
      zipOf('return.csv', csv(VALID_ROWS)),
    ),
    rejected(
      'zip-named.json',
      'unsupported-format',
      'A ZIP archive with a .json extension.',
      zipOf('return.json', jsonReturn(VALID_JSON_ROWS)),
    ),
    rejected(
      'return.txt',
      'unsupported-format',
      'A valid CSV return with a .txt extension: the extension decides the format.',
      csv(VALID_ROWS),
    ),
    rejected(
      'return.csv.txt',
      'unsupported-format',
      'A double extension; the last one counts.',
      csv(VALID_ROWS),
    ),
    rejected('return', 'unsupported-format', 'No extension at all.', csv(VALID_ROWS)),
    rejected(
      'unclosed-quote.csv',
      'malformed-csv',
      'A quote opened in row 3 and never closed.',
      csv([VALID_ROWS[0]!, '2025-11-12,"arrests,,5', VALID_ROWS[2]!]),
    ),

    // ── Line ends and encodings that are fine ──────────────────────────────────────────────
    accepted(
      'utf8-bom.csv',
      'FR',
      'A UTF-8 byte-order mark (Excel "CSV UTF-8") is dropped.',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), csv(VALID_ROWS)]),
    ),
    accepted('crlf.csv', 'KE', 'Windows line ends.', csv(VALID_ROWS, HEADER, '\r\n')),
    accepted(
      'utf8-bom-crlf.csv',
      'ES',
      'What Excel on Windows writes: byte-order mark and CRLF.',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), csv(VALID_ROWS, HEADER, '\r\n')]),
    ),
    accepted('cr-only.csv', 'IT', 'Classic Mac OS line ends (CR only).', csv(VALID_ROWS, HEADER, '\r')),
    accepted(
      'utf16le-bom.csv',
      'AT',
      'A valid return saved as UTF-16 LE with its byte-order mark: converted, with a warning naming the encoding.',
      Buffer.concat([Buffer.from([0xff, 0xfe]), utf16le(VALID_TEXT)]),
    ),
    accepted(
      'utf16be-bom.csv',
      'HU',
      'A valid return saved as UTF-16 BE with its byte-order mark: converted, with a warning.',
      Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(VALID_TEXT)]),
    ),
    accepted(
      'excel-unicode-text.csv',
      'PL',
      'What Excel\'s "Unicode Text" writes: UTF-16 LE with a byte-order mark, tab-separated, CRLF.',
      Buffer.concat([Buffer.from([0xff, 0xfe]), utf16le(separatedBy('\t', '\r\n'))]),
    ),
    accepted(
      'semicolon-windows-1252.csv',
      'SN',
      'What French Excel\'s "CSV (séparateur : point-virgule)" writes: semicolons, CRLF, Windows-1252 (a non-breaking space, byte 0xA0, after two values makes it invalid UTF-8; trimmed like any space). Accepted with a warning naming the encoding.',
      cp1252(
        separatedBy(';', '\r\n').replace(';12\r\n', ';12\u00a0\r\n').replace(';310\r\n', ';310\u00a0\r\n'),
      ),
    ),
    rejected(
      'quoted-newline.csv',
      'unknown-metric',
      'Row 3 has a quoted cell spanning two lines; the error in the next row is reported as row 4 (as a spreadsheet shows it), not line 5.',
      text(`${HEADER}\n${VALID_ROWS[0]}\n2025-11-12,officers_deployed,"\n",310\n2025-11-13,arests,,1\n`),
      4,
    ),

    // ── The header ─────────────────────────────────────────────────────────────────────────
    rejected(
      'extra-column.csv',
      'unknown-column',
      'A "notes" column returns do not have.',
      csv(
        VALID_ROWS.map((l) => `${l},ok`),
        `${HEADER},notes`,
      ),
      1,
    ),
    rejected(
      'missing-column.csv',
      'missing-column',
      'No value column.',
      csv(
        VALID_ROWS.map((l) => l.replace(/,[^,]*$/, '')),
        'date,metric,breakdown',
      ),
      1,
    ),
    rejected(
      'duplicate-column.csv',
      'duplicate-column',
      'The value column twice.',
      csv(
        VALID_ROWS.map((l) => `${l},1`),
        `${HEADER},value`,
      ),
      1,
    ),
    accepted(
      'reordered-columns.csv',
      'GB',
      'Columns in another order (value, breakdown, metric, date).',
      csv(
        VALID_ROWS.map((l) => l.split(',').reverse().join(',')),
        'value,breakdown,metric,date',
      ),
    ),
    accepted(
      'header-case-spaces.csv',
      'IN',
      'Header names in other cases and with spaces around them.',
      csv(VALID_ROWS, ' Date ,METRIC, Breakdown ,Value'),
    ),
    accepted(
      'no-breakdown-column.csv',
      'ZA',
      'The optional breakdown column left out.',
      csv(['2025-11-12,arrests,12', '2025-11-13,arrests,0'], 'date,metric,value'),
    ),
    accepted(
      'country-column-lowercase.csv',
      'CO',
      'An optional country column with the own code in lower case.',
      csv(
        VALID_ROWS.map((l) => `co,${l}`),
        `country,${HEADER}`,
      ),
    ),
    accepted(
      'semicolon-separated.csv',
      'LU',
      'French, Spanish, Portuguese and German Excel separate with semicolons: the separator is read from the header.',
      text(separatedBy(';')),
    ),
    accepted(
      'tab-separated.csv',
      'RO',
      'Tab-separated, as copied out of a spreadsheet.',
      text(separatedBy('\t')),
    ),
    rejected(
      'semicolon-decimal-comma.csv',
      'bad-value',
      'A semicolon file whose value is written 1,5: the comma stays in the cell, and 1,5 is not a whole number.',
      text(`${separatedBy(';')}2025-11-14;arrests;;1,5\n`),
      AT,
    ),
    rejected(
      'ambiguous-header.csv',
      'ambiguous-delimiter',
      'A header with both semicolons and commas (date;metric,breakdown;value): which one separates columns cannot be told.',
      text(`date;metric,breakdown;value\n${VALID_ROWS.join('\n')}\n`),
      1,
    ),
    rejected(
      'excel-sep-line.csv',
      'unknown-column',
      'Excel\'s "sep=," first line is read as the header.',
      text(`sep=,\n${VALID_TEXT}`),
      1,
    ),
    accepted(
      'trailing-comma.csv',
      'HR',
      'Every line ends with a comma (an empty fifth column): ignored, with a warning.',
      csv(
        VALID_ROWS.map((l) => `${l},`),
        `${HEADER},`,
      ),
    ),
    accepted(
      'trailing-commas-excel.csv',
      'SI',
      'Excel\'s trailing empty columns: ",,," after every line, the header included (cells right of the table once used). Ignored, with a warning.',
      csv(
        VALID_ROWS.map((l) => `${l},,,`),
        `${HEADER},,,`,
        '\r\n',
      ),
    ),
    accepted(
      'separator-only-rows.csv',
      'SK',
      'Rows of only separators (",,,", also with spaces) between and after the data rows, as Excel exports formatted empty rows: ignored, with a warning.',
      csv([...VALID_ROWS.slice(0, 3), ',,,', ...VALID_ROWS.slice(3), ',,,', ' , , , ', ',,,']),
    ),
    rejected(
      'trailing-column-not-empty.csv',
      'wrong-field-count',
      'The header ends with an empty column, and row 8 has a value in it: only empty cells are ignored.',
      csv([...VALID_ROWS.map((l) => `${l},`), '2025-11-14,arrests,,1,checked'], `${HEADER},`),
      AT,
    ),
    rejected(
      'cyrillic-header.csv',
      'unknown-column',
      'The header "dаte" with a Cyrillic а (U+0430) that looks like "date".',
      csv(VALID_ROWS, HEADER.replace('date', 'd\u0430te')),
      1,
    ),
    rejected(
      'proto-columns.csv',
      'unknown-column',
      'Columns named __proto__ and constructor (prototype pollution through the header).',
      csv(
        VALID_ROWS.map((l) => `${l},polluted,x`),
        `${HEADER},__proto__,constructor`,
      ),
      1,
    ),

    // ── Cells ──────────────────────────────────────────────────────────────────────────────
    rejected(
      'unknown-metric.csv',
      'unknown-metric',
      '"arests" (the hint suggests arrests).',
      validPlus('2025-11-14,arests,,1'),
      AT,
    ),
    rejected(
      'zero-width-metric.csv',
      'unknown-metric',
      'A zero-width space after "arrests" (invisible; not trimmed).',
      validPlus('2025-11-14,arrests\u200b,,1'),
      AT,
    ),
    rejected(
      'proto-metric.csv',
      'unknown-metric',
      'Metrics named __proto__, constructor and hasOwnProperty.',
      csv([
        ...VALID_ROWS,
        '2025-11-14,__proto__,,1',
        '2025-11-14,constructor,,1',
        '2025-11-14,hasOwnProperty,,1',
      ]),
      AT,
    ),
    rejected('negative.csv', 'bad-value', 'A negative value (-3).', validPlus('2025-11-14,arrests,,-3'), AT),
    rejected('decimal.csv', 'bad-value', 'A decimal value (2.5).', validPlus('2025-11-14,arrests,,2.5'), AT),
    rejected(
      'exponent.csv',
      'bad-value',
      'Exponent notation (1e3), as Excel shows large numbers.',
      validPlus('2025-11-14,arrests,,1e3'),
      AT,
    ),
    rejected(
      'thousands-quoted.csv',
      'bad-value',
      'A quoted thousands-separated value ("1,200").',
      validPlus('2025-11-14,arrests,,"1,200"'),
      AT,
    ),
    rejected(
      'thousands-unquoted.csv',
      'wrong-field-count',
      'An unquoted 1,200 splits into two cells.',
      validPlus('2025-11-14,arrests,,1,200'),
      AT,
    ),
    rejected(
      'fullwidth-digits.csv',
      'bad-value',
      'Full-width digits (１２), as some input methods type them.',
      validPlus('2025-11-14,arrests,,\uff11\uff12'),
      AT,
    ),
    rejected(
      'empty-value.csv',
      'bad-value',
      'An empty value: neither zero nor a number.',
      validPlus('2025-11-14,arrests,,'),
      AT,
    ),
    rejected(
      'beyond-2-53.csv',
      'value-too-large',
      '2^53 + 1 = 9007199254740993, which a double cannot hold.',
      validPlus('2025-11-14,arrests,,9007199254740993'),
      AT,
    ),
    rejected(
      'exactly-2-53.csv',
      'value-too-large',
      '2^53 = 9007199254740992, the first unsafe integer.',
      validPlus('2025-11-14,arrests,,9007199254740992'),
      AT,
    ),
    rejected(
      'many-digits.csv',
      'value-too-large',
      'A 200-digit value (within the cell limit).',
      validPlus(`2025-11-14,arrests,,${'9'.repeat(200)}`),
      AT,
    ),
    rejected(
      'safe-values-unsafe-total.csv',
      'value-too-large',
      'Two safe values (2^53 - 1 each, on two days) whose total is not: the country total cannot be counted exactly.',
      csv(['2025-11-12,arrests,,9007199254740991', '2025-11-13,arrests,,9007199254740991']),
    ),
    rejected(
      'cell-too-long.csv',
      'cell-too-long',
      `A ${LIMITS.maxCellChars + 1}-character breakdown cell.`,
      validPlus(`2025-11-14,victims_safeguarded,exploitation=${'x'.repeat(LIMITS.maxCellChars)},1`),
      AT,
    ),
    rejected(
      'formula-metric.csv',
      'unknown-metric',
      'A spreadsheet formula as the metric: =HYPERLINK("http://x","y").',
      validPlus('2025-11-14,"=HYPERLINK(""http://x"",""y"")",,1'),
      AT,
    ),
    rejected(
      'formula-value.csv',
      'bad-value',
      'A spreadsheet formula as the value: =HYPERLINK("http://x","y").',
      validPlus('2025-11-14,arrests,,"=HYPERLINK(""http://x"",""y"")"'),
      AT,
    ),
    rejected(
      'formula-plus.csv',
      'bad-value',
      'A formula-leading +1.',
      validPlus('2025-11-14,arrests,,+1'),
      AT,
    ),
    rejected(
      'formula-minus.csv',
      'bad-value',
      'A formula-leading -1 (also negative).',
      validPlus('2025-11-14,arrests,,-1'),
      AT,
    ),
    rejected(
      'formula-at.csv',
      'bad-value',
      'A formula-leading @SUM(1).',
      validPlus('2025-11-14,arrests,,@SUM(1)'),
      AT,
    ),
    rejected(
      'unknown-breakdown.csv',
      'unknown-breakdown',
      'exploitation=begging is not in the catalogue.',
      validPlus('2025-11-12,victims_safeguarded,exploitation=begging,1'),
      AT,
    ),

    // ── Dates ──────────────────────────────────────────────────────────────────────────────
    rejected(
      'date-slash.csv',
      'bad-date',
      '12/11/2025 (day/month or month/day?).',
      validPlus('12/11/2025,arrests,,1'),
      AT,
    ),
    rejected(
      'date-unpadded.csv',
      'bad-date',
      '2025-11-9 without a leading zero.',
      validPlus('2025-11-9,arrests,,1'),
      AT,
    ),
    rejected(
      'date-compact.csv',
      'bad-date',
      '20251112 without dashes.',
      validPlus('20251112,arrests,,1'),
      AT,
    ),
    rejected(
      'date-feb-30.csv',
      'bad-date',
      '2025-02-30 does not exist.',
      validPlus('2025-02-30,arrests,,1'),
      AT,
    ),
    rejected(
      'date-with-time.csv',
      'bad-date',
      '2025-11-12T10:00:00Z: a time, not a day.',
      validPlus('2025-11-12T10:00:00Z,arrests,,1'),
      AT,
    ),
    rejected(
      'date-excel-serial.csv',
      'bad-date',
      '45973, the Excel serial number of 2025-11-12.',
      validPlus('45973,arrests,,1'),
      AT,
    ),
    rejected(
      'date-before-window.csv',
      'date-outside-window',
      '2025-11-09, the day before the window.',
      validPlus('2025-11-09,arrests,,1'),
      AT,
    ),
    rejected(
      'date-after-window.csv',
      'date-outside-window',
      '2025-11-22, the day after the window.',
      validPlus('2025-11-22,arrests,,1'),
      AT,
    ),

    // ── Rows ───────────────────────────────────────────────────────────────────────────────
    rejected(
      'duplicate-row.csv',
      'duplicate-row',
      'The same date, metric and breakdown twice (with another value).',
      validPlus('2025-11-12,arrests,,13'),
      AT,
    ),
    rejected(
      'country-mismatch.csv',
      'country-mismatch',
      'A country column naming FR in a file uploaded for BR: never counted for FR.',
      csv(
        VALID_ROWS.map((l) => `FR,${l}`),
        `country,${HEADER}`,
      ),
      2,
    ),
    rejected(
      'rule-violation.csv',
      'rule-violation',
      'More trafficking arrests (9) than arrests (2) on a day.',
      csv(['2025-11-14,arrests,,2', '2025-11-14,arrests_trafficking_smuggling,,9']),
      3,
    ),

    // ── JSON ───────────────────────────────────────────────────────────────────────────────
    accepted('valid.json', 'PT', 'A valid JSON return.', jsonReturn(VALID_JSON_ROWS, { country: 'PT' })),
    accepted(
      'json-bom.json',
      'SE',
      'A JSON return with a UTF-8 byte-order mark.',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), jsonReturn(VALID_JSON_ROWS, { country: 'SE' })]),
    ),
    accepted(
      'json-number-forms.json',
      'TH',
      'JSON numbers written 1e3, 12.0 and 5E0 are the numbers 1000, 12 and 5: JSON has no integer type.',
      text(
        '{"rows":[{"date":"2025-11-12","metric":"arrests","value":1e3},{"date":"2025-11-13","metric":"arrests","value":12.0},{"date":"2025-11-14","metric":"arrests","value":5E0}]}',
      ),
    ),
    rejected(
      'json-duplicate-keys.json',
      'duplicate-key',
      'A row with "value" twice: JSON.parse would keep the last (7), other readers the first (1).',
      text('{"rows":[{"date":"2025-11-12","metric":"arrests","value":1,"value":7}]}'),
      1,
    ),
    rejected(
      'json-truncated.json',
      'malformed-json',
      'A valid JSON return cut short in the middle.',
      (() => {
        const whole = jsonReturn(VALID_JSON_ROWS);
        return whole.subarray(0, Math.floor(whole.length / 2));
      })(),
    ),
    rejected(
      'json-trailing-comma.json',
      'malformed-json',
      'A trailing comma after the last row.',
      text('{"rows":[{"date":"2025-11-12","metric":"arrests","value":1},]}'),
    ),
    rejected(
      'json-comments.json',
      'malformed-json',
      'Comments are not JSON.',
      text('{\n  // our return\n  "rows": [{"date":"2025-11-12","metric":"arrests","value":1}]\n}\n'),
    ),
    rejected(
      'json-rows-object.json',
      'json-shape',
      '"rows" is an object keyed "0", "1" … instead of an array.',
      json({ rows: { 0: VALID_JSON_ROWS[0], 1: VALID_JSON_ROWS[1] } }),
    ),
    rejected(
      'json-top-array.json',
      'json-shape',
      'The rows array alone, not an object.',
      json(VALID_JSON_ROWS),
    ),
    rejected('json-null.json', 'json-shape', 'The JSON text null.', text('null')),
    rejected(
      'json-rows-scalars.json',
      'json-shape',
      'Rows that are a number, a string and null.',
      json({ rows: [1, 'x', null] }),
      1,
    ),
    rejected(
      'json-deep-1000.json',
      'json-shape',
      '1,000 nested arrays inside "rows".',
      text(`{"rows":${nestedArrays(1000)}}`),
    ),
    rejected(
      'json-deep-cell.json',
      'json-shape',
      'A value that is 1,000 nested arrays.',
      text(`{"rows":[{"date":"2025-11-12","metric":"arrests","value":${nestedArrays(1000)}}]}`),
    ),
    rejected(
      'json-proto-row.json',
      'unknown-column',
      'A row with a "__proto__" field (own property after JSON.parse; must not pollute Object.prototype).',
      text(
        '{"rows":[{"date":"2025-11-12","metric":"arrests","value":1,"__proto__":{"polluted":true,"value":99}}]}',
      ),
      1,
    ),
    rejected(
      'json-proto-top.json',
      'unknown-column',
      'A top-level "__proto__" field.',
      text(
        '{"__proto__":{"polluted":true,"rows":[]},"rows":[{"date":"2025-11-12","metric":"arrests","value":1}]}',
      ),
    ),
    rejected(
      'json-constructor-row.json',
      'unknown-column',
      'A row with a "constructor" field.',
      text(
        '{"rows":[{"date":"2025-11-12","metric":"arrests","value":1,"constructor":{"prototype":{"polluted":true}}}]}',
      ),
      1,
    ),
    rejected(
      'json-constructor-top.json',
      'unknown-column',
      'A top-level "constructor" field.',
      text(
        '{"constructor":{"prototype":{"polluted":true}},"rows":[{"date":"2025-11-12","metric":"arrests","value":1}]}',
      ),
    ),
    rejected(
      'json-proto-metric.json',
      'unknown-metric',
      'Metrics named __proto__ and constructor.',
      text(
        '{"rows":[{"date":"2025-11-12","metric":"__proto__","value":1},{"date":"2025-11-12","metric":"constructor","value":1}]}',
      ),
      1,
    ),
    rejected(
      'json-value-string.json',
      'bad-value',
      'A value written as the string "12".',
      text('{"rows":[{"date":"2025-11-12","metric":"arrests","value":"12"}]}'),
      1,
    ),
    rejected(
      'json-value-decimal.json',
      'bad-value',
      'A value of 2.5.',
      text('{"rows":[{"date":"2025-11-12","metric":"arrests","value":2.5}]}'),
      1,
    ),
    rejected(
      'json-value-infinite.json',
      'bad-value',
      '1e400 parses to Infinity.',
      text('{"rows":[{"date":"2025-11-12","metric":"arrests","value":1e400}]}'),
      1,
    ),
    rejected(
      'json-value-beyond-2-53.json',
      'value-too-large',
      '9007199254740993 parses to 9007199254740992, not a safe integer.',
      text('{"rows":[{"date":"2025-11-12","metric":"arrests","value":9007199254740993}]}'),
      1,
    ),
    rejected(
      'json-escaped-nul.json',
      'unknown-metric',
      'A metric with an escaped NUL (\\u0000) and one with a lone surrogate (\\ud800): the text is valid UTF-8, the metrics are not ours.',
      text(
        '{"rows":[{"date":"2025-11-12","metric":"arrests\\u0000","value":1},{"date":"2025-11-12","metric":"\\ud800","value":1}]}',
      ),
      1,
    ),
    rejected(
      'json-country-mismatch.json',
      'country-mismatch',
      'A top-level "country" of FR in a file uploaded for BR.',
      jsonReturn(VALID_JSON_ROWS, { country: 'FR' }),
    ),
    rejected(
      'json-operation-mismatch.json',
      'operation-mismatch',
      'A top-level "operation" of another operation.',
      jsonReturn(VALID_JSON_ROWS, { operation: 'liberterra-ii' }),
    ),
  ];
  return cases.map(({ bytes, ...entry }) => ({
    ...entry,
    bytes: typeof bytes === 'function' ? bytes : () => bytes,
  }));
}

/**
 * Cases that need size, built at test time (not checked in): each is a few megabytes. The row and
 * size limits are those of the shipped definition.
 */
export function generatedHostileCases(): HostileCase[] {
  const rows = LIMITS.maxRows + 1;
  return [
    {
      file: 'long-line-10mb.csv',
      country: 'BR',
      verdict: 'rejected',
      code: 'malformed-csv',
      row: 1,
      why: 'One 10 MB line with no line end: reading stops at the 64 KB record limit.',
      bytes: () => Buffer.alloc(10 * 1024 * 1024, '1,'),
    },
    {
      file: 'long-cell-10mb.csv',
      country: 'BR',
      verdict: 'rejected',
      code: 'malformed-csv',
      row: 2,
      why: 'A valid header, then a row whose value cell is 10 MB of digits.',
      bytes: () =>
        Buffer.concat([text(`${HEADER}\n2025-11-12,arrests,,`), Buffer.alloc(10 * 1024 * 1024, '7')]),
    },
    {
      file: 'too-many-rows.csv',
      country: 'BR',
      verdict: 'rejected',
      code: 'too-many-rows',
      row: rows + 1,
      why: `${rows} data rows, one more than the operation's limit of ${LIMITS.maxRows}.`,
      bytes: () => {
        const line = text('2025-11-12,arrests,1\n');
        const out = Buffer.alloc('date,metric,value\n'.length + rows * line.length);
        out.write('date,metric,value\n');
        for (let i = 0, at = 18; i < rows; i++, at += line.length) line.copy(out, at);
        return out;
      },
    },
    {
      file: 'file-too-large.csv',
      country: 'BR',
      verdict: 'rejected',
      code: 'file-too-large',
      why: `One byte above the operation's ${LIMITS.maxFileBytes}-byte limit, in rows of 60 KB (so no other limit stops reading first).`,
      bytes: () => {
        const out = Buffer.alloc(LIMITS.maxFileBytes + 1, `2025-11-12,arrests,${'x'.repeat(60_000)},1\n`);
        out.write(`${HEADER}\n`);
        return out;
      },
    },
    {
      file: 'file-too-large.json',
      country: 'BR',
      verdict: 'rejected',
      code: 'file-too-large',
      why: `A JSON return padded with spaces to one byte above the ${LIMITS.maxFileBytes}-byte limit.`,
      bytes: () => {
        const out = Buffer.alloc(LIMITS.maxFileBytes + 1, ' ');
        out.write('{"rows":[{"date":"2025-11-12","metric":"arrests","value":1}');
        out.write(']}', out.length - 2);
        return out;
      },
    },
    {
      file: 'blank-lines-24mb.csv',
      country: 'BR',
      verdict: 'rejected',
      code: 'too-many-rows',
      row: LIMITS.maxRows + 1,
      why: '24 MB of line ends and no header: blank lines count against the row limit, so reading stops early instead of parsing 25 million empty records.',
      bytes: () => Buffer.alloc(24 * 1024 * 1024, '\n'),
    },
    {
      file: 'json-depth-bomb.json',
      country: 'BR',
      verdict: 'rejected',
      code: 'json-shape',
      why: '100,000 nested arrays inside "rows" (200 KB).',
      bytes: () => text(`{"rows":${nestedArrays(100_000)}}`),
    },
    {
      file: 'json-depth-bomb-24mb.json',
      country: 'BR',
      verdict: 'rejected',
      code: 'json-shape',
      why: '12 million nested arrays (24 MB, under the size limit): parsing it whole would take over a gigabyte.',
      bytes: () => text(`{"rows":${nestedArrays(12_000_000)}}`),
    },
    {
      file: 'json-long-cell-10mb.json',
      country: 'BR',
      verdict: 'rejected',
      code: 'cell-too-long',
      row: 1,
      why: 'A JSON row whose metric is a 10 MB string.',
      bytes: () =>
        Buffer.concat([
          text('{"rows":[{"date":"2025-11-12","metric":"'),
          Buffer.alloc(10 * 1024 * 1024, 'a'),
          text('","value":1}]}'),
        ]),
    },
  ];
}

/** Writes the checked-in catalogue and its manifest; leaves the Excel catalogue's files alone. */
export async function writeHostileFixtures(dir = HOSTILE_DIR): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const cases = hostileFixtures();
  const names = new Set(cases.map((c) => c.file));
  if (names.size !== cases.length) throw new Error('two hostile cases share a file name');
  for (const c of cases) {
    if (c.file.startsWith('xlsx-')) throw new Error(`${c.file}: xlsx-* names belong to the Excel catalogue`);
    const bytes = c.bytes();
    if (bytes.length > 200 * 1024)
      throw new Error(`${c.file} is ${bytes.length} bytes: generate it at test time`);
    await writeFile(join(dir, c.file), bytes);
  }
  const manifest: HostileEntry[] = cases.map(({ bytes: _bytes, ...entry }) => entry);
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  // Files nobody writes any more: reported, not deleted (the folder is shared with the Excel catalogue).
  return (await readdir(dir)).filter(
    (n) => !names.has(n) && !['manifest.json', '.gitattributes'].includes(n) && !n.startsWith('xlsx-'),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const stale = await writeHostileFixtures();
  console.log(`wrote ${hostileFixtures().length} files and manifest.json to ${HOSTILE_DIR}`);
  if (stale.length > 0) console.log(`not written by this script (delete if obsolete): ${stale.join(', ')}`);
}
