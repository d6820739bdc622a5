import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import type { CheckedReturn } from '../../shared/domain/check-return.ts';
import { type ReadOptions, readText } from './builders.ts';

/** What a test may put in a cell: exceljs writes each the way Excel stores it. */
export type XlsxCell =
  | string
  | number
  | boolean
  | Date
  | null
  | { formula: string; result?: number | string }
  | { richText: { text: string }[] };

/** A date as Excel stores a date typed into a cell: a whole day number, which exceljs maps to UTC midnight. */
export function excelDate(isoDay: string): Date {
  return new Date(`${isoDay}T00:00:00Z`);
}

type Sheet = { name: string; rows: { at: number | undefined; cells: XlsxCell[] }[] };

/**
 * Builds a national return as an Excel workbook, in memory, with exceljs: by default one sheet
 * named `return` with the header date, metric, breakdown, value in row 1.
 */
export class XlsxReturnBuilder {
  readonly #before: Sheet[] = [];
  #name = 'return';
  #header: XlsxCell[] | null = ['date', 'metric', 'breakdown', 'value'];
  readonly #rows: Sheet['rows'] = [];

  /** Names the return's sheet. */
  sheetName(name: string): this {
    this.#name = name;
    return this;
  }

  /** Replaces the header row. */
  withHeader(...names: XlsxCell[]): this {
    this.#header = names;
    return this;
  }

  /** Leaves the header row out. */
  withoutHeader(): this {
    this.#header = null;
    return this;
  }

  /**
   * Adds a row. A `date` string is typed in as text; pass `excelDate(...)` for a date cell. A
   * number `value` is a number cell; a string stays text.
   */
  withRow(date: string | Date, metric: string, value: XlsxCell, breakdown?: string): this {
    return this.withCells(date, metric, breakdown ?? null, value);
  }

  /** Adds a row whose `value` cell holds a formula (with a cached result, as Excel saves it). */
  withFormula(date: string | Date, metric: string, formula: string, result: number | string = 0): this {
    return this.withCells(date, metric, null, { formula, result });
  }

  /** Adds a row of raw cells, from column A. */
  withCells(...cells: XlsxCell[]): this {
    this.#rows.push({ at: undefined, cells });
    return this;
  }

  /** Adds a row of raw cells at a given row number (rows in between stay empty). */
  withCellsAt(row: number, ...cells: XlsxCell[]): this {
    this.#rows.push({ at: row, cells });
    return this;
  }

  /** Adds an empty row (Excel does not store it, but it counts in the numbering). */
  withBlankRow(): this {
    this.#rows.push({ at: undefined, cells: [] });
    return this;
  }

  /** Adds a sheet before the return's sheet, so that it is the workbook's first tab. */
  withSheetBefore(name: string, ...rows: XlsxCell[][]): this {
    this.#before.push({ name, rows: rows.map((cells) => ({ at: undefined, cells })) });
    return this;
  }

  /** The workbook exceljs builds, for a test that needs to change more. */
  workbook(): ExcelJS.Workbook {
    const wb = new ExcelJS.Workbook();
    for (const sheet of this.#before) fill(wb.addWorksheet(sheet.name), sheet.rows);
    const rows = this.#header ? [{ at: undefined, cells: this.#header }, ...this.#rows] : this.#rows;
    fill(wb.addWorksheet(this.#name), rows);
    return wb;
  }

  /** The .xlsx file's bytes. */
  async bytes(): Promise<Uint8Array> {
    return xlsxBytes(this.workbook());
  }
}

/** Starts a workbook return with the header row only. */
export function anXlsxReturn(): XlsxReturnBuilder {
  return new XlsxReturnBuilder();
}

/** The bytes of a workbook as Excel would save it. */
export async function xlsxBytes(wb: ExcelJS.Workbook): Promise<Uint8Array> {
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

function fill(ws: ExcelJS.Worksheet, rows: Sheet['rows']): void {
  let next = 1;
  for (const { at, cells } of rows) {
    const number = at ?? next;
    next = number + 1;
    cells.forEach((value, i) => {
      if (value === null) return;
      const cell = ws.getCell(number, i + 1);
      cell.value = value;
      // A date typed into Excel shows in a date format; that format is what marks it as a date.
      if (value instanceof Date) cell.numFmt = 'yyyy-mm-dd';
    });
  }
}

/** Reads a workbook as the ingest Lambda would (in 64 KiB chunks), by default BR's return to `anOperation()`. */
export function readXlsxReturn(bytes: Uint8Array, options: ReadOptions = {}): Promise<CheckedReturn> {
  return readText(bytes, 'xlsx', { chunkSize: 64 * 1024, ...options });
}

/** Loads an .xlsx (or any ZIP), lets `change` edit its entries, and zips it again (DEFLATE). */
export async function rezipped(
  bytes: Uint8Array,
  change: (zip: JSZip) => void | Promise<void>,
): Promise<Uint8Array> {
  const zip = await JSZip.loadAsync(bytes);
  await change(zip);
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
}

/** Makes a workbook macro-enabled the way Excel saves an .xlsm: a VBA project and its content type. */
export async function asMacroWorkbook(
  bytes: Uint8Array,
  parts: { vbaProject?: boolean; contentType?: boolean } = {},
): Promise<Uint8Array> {
  const { vbaProject = true, contentType = true } = parts;
  return rezipped(bytes, async (zip) => {
    if (vbaProject) zip.file('xl/vbaProject.bin', new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 1, 2, 3, 4]));
    if (contentType) {
      const types = await zip.file('[Content_Types].xml')!.async('string');
      zip.file(
        '[Content_Types].xml',
        types
          .replace(
            'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml',
            'application/vnd.ms-excel.sheet.macroEnabled.main+xml',
          )
          .replace(
            '</Types>',
            '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
          ),
      );
    }
  });
}

/**
 * A workbook with one more part of `size` zero bytes, DEFLATE-compressed about a thousand times:
 * a ZIP bomb whose central directory tells the truth.
 */
export async function withZipBomb(bytes: Uint8Array, size = 60 * 1024 * 1024): Promise<Uint8Array> {
  const zip = await JSZip.loadAsync(bytes);
  zip.file('xl/media/image1.png', new Uint8Array(size), {
    compression: 'DEFLATE',
    compressionOptions: { level: 9 },
  });
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
}

/** One entry of a ZIP's central directory, with where its fields sit. */
type DirectoryEntry = { name: string; at: number; localAt: number };

function directoryOf(zip: Uint8Array): DirectoryEntry[] {
  const view = Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
  const entries: DirectoryEntry[] = [];
  for (
    let at = view.indexOf('PK\x01\x02', 0, 'latin1');
    at >= 0;
    at = view.indexOf('PK\x01\x02', at + 4, 'latin1')
  ) {
    const nameLength = view.readUInt16LE(at + 28);
    entries.push({
      name: view.toString('utf8', at + 46, at + 46 + nameLength),
      at,
      localAt: view.readUInt32LE(at + 42),
    });
  }
  return entries;
}

/**
 * Rewrites the uncompressed size an entry declares (central directory and local header), leaving
 * its data alone: a ZIP whose headers lie about what an entry expands to.
 */
export function withDeclaredSize(zip: Uint8Array, name: string, size: number): Uint8Array {
  const out = Uint8Array.from(zip);
  const view = Buffer.from(out.buffer);
  const entry = directoryOf(out).find((e) => e.name === name);
  if (!entry) throw new Error(`no entry ${name} in the zip`);
  view.writeUInt32LE(size, entry.at + 24);
  view.writeUInt32LE(size, entry.localAt + 22);
  return out;
}

/** Sets the "encrypted" flag on every entry, as a ZIP tool's password option does. */
export function withEncryptedFlag(zip: Uint8Array): Uint8Array {
  const out = Uint8Array.from(zip);
  const view = Buffer.from(out.buffer);
  for (const entry of directoryOf(out)) {
    view.writeUInt16LE(view.readUInt16LE(entry.at + 8) | 1, entry.at + 8);
    view.writeUInt16LE(view.readUInt16LE(entry.localAt + 6) | 1, entry.localAt + 6);
  }
  return out;
}

/** Bytes that are nothing in particular (a fixed pseudo-random sequence, so failures repeat). */
export function noise(length: number, seed = 42): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** The sheet XML of a sheet with `rows` rows of `columns` numeric cells, for cell-count limits. */
export function sheetXmlWithCells(rows: number, columns: number): string {
  const letters = Array.from({ length: columns }, (_, i) => columnName(i + 1));
  const body: string[] = [];
  for (let r = 1; r <= rows; r++) {
    body.push(
      `<row r="${r}">${letters.map((l, i) => `<c r="${l}${r}"><v>${(r * 7 + i) % 1000}</v></c>`).join('')}</row>`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${body.join('')}</sheetData></worksheet>`;
}

function columnName(col: number): string {
  let letters = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26))
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}
