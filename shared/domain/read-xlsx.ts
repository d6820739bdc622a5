import { Readable } from 'node:stream';
import type ExcelJS from 'exceljs';
import type JSZip from 'jszip';
import type { CheckContext, ReturnChecker } from './check-return.ts';
import type { Operation } from './operation.ts';
import { type Problem, problem, truncate } from './problems.ts';
import { assert, err, ok, type Result } from './result.ts';

/**
 * The Excel libraries (about 1 MB of the Lambda bundles) are loaded the first time a workbook is
 * read or written, not at cold start: most returns are CSV or JSON.
 */
export const loadExcelJS = async (): Promise<typeof ExcelJS> => (await import('exceljs')).default;
const loadJSZip = async (): Promise<typeof JSZip> => (await import('jszip')).default;

/**
 * What a workbook may expand to before any of it is parsed. A national return is a few thousand
 * cells; these bounds are orders of magnitude above that and far below what exhausts a Lambda.
 */
export const XLSX_LIMITS = {
  /** Total uncompressed size of all entries, as the ZIP's central directory declares it. */
  maxUnzippedBytes: 50 * 1024 * 1024,
  /** An entry expanding more than this many times… */
  maxRatio: 100,
  /** …is a bomb once it is larger than this (small XML parts legitimately compress very well). */
  ratioCheckedAboveBytes: 1024 * 1024,
  /** Entries in the archive; Excel writes a dozen or two. */
  maxEntries: 10_000,
  /** Cells in the sheet read, whatever `maxRows` allows. */
  maxCells: 2_000_000,
} as const;

/** The most cells the sheet read may hold for `op`: ten per allowed row (a return has five columns), capped. */
export function maxCellsOf(op: Pick<Operation, 'limits'>): number {
  return Math.min(XLSX_LIMITS.maxCells, (op.limits.maxRows + 1) * 10);
}

/** The name of the sheet a return is read from (any case); without one, the first visible worksheet. */
export const RETURN_SHEET = 'return';

/**
 * Reads a national return from an Excel workbook (.xlsx) and feeds it to `checker` exactly as the
 * CSV reader does: the header row (the first non-empty row), then every non-empty row, numbered as
 * Excel shows them. Cells become text: whole numbers their digits, other numbers their decimal form
 * (so the checker rejects them), date cells YYYY-MM-DD. Formulas are never evaluated: a formula
 * cell is a `formula-not-allowed` error.
 *
 * The whole file is held in memory (a ZIP is read from its end), within the operation's file-size
 * limit. Before exceljs sees anything, the archive is checked from its central directory (size,
 * expansion ratio, entry count, macros) and every part handed on is inflated here, bounded by its
 * declared size, so a lying header cannot become a bomb. exceljs then reads only a rebuilt workbook
 * holding the chosen sheet, its strings and styles, row by row.
 *
 * Never throws for bad input: every problem ends up in the checker.
 */
export async function readXlsx(
  source: AsyncIterable<Uint8Array>,
  checker: ReturnChecker,
  ctx: CheckContext,
): Promise<void> {
  const bytes = await readAll(source, ctx.operation.limits.maxFileBytes);
  if (!bytes.ok) {
    checker.fileProblem(bytes.error);
    return;
  }
  const workbook = await preflight(bytes.value, maxCellsOf(ctx.operation));
  if (!workbook.ok) {
    checker.fileProblem(workbook.error);
    return;
  }
  await readSheet(workbook.value, checker);
}

// ---------------------------------------------------------------------------------------------
// Bytes and signatures

async function readAll(
  source: AsyncIterable<Uint8Array>,
  maxBytes: number,
): Promise<Result<Buffer, Problem>> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > maxBytes) {
      return err(
        problem(
          'file-too-large',
          {},
          `The file is larger than ${maxBytes} bytes.`,
          'Upload only your country’s rows: a workbook this size is not a national return.',
        ),
      );
    }
    chunks.push(chunk);
  }
  if (total === 0) {
    return err(
      problem(
        'empty-file',
        {},
        'The file is empty.',
        'Upload your return with a header row and one row per date and metric.',
      ),
    );
  }
  return ok(Buffer.concat(chunks, total));
}

const ZIP_SIGNATURES = [Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from([0x50, 0x4b, 0x05, 0x06])];
/** OLE compound file: how Excel stores an encrypted .xlsx, and how old .xls workbooks look. */
const CFB_SIGNATURE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

const SAVE_AS_XLSX = 'In Excel: File → Save As → Excel Workbook (.xlsx), then upload that file.';

function unsupported(message: string, hint = SAVE_AS_XLSX): Problem {
  return problem('unsupported-format', {}, message, hint);
}

/** Why the bytes are not a ZIP archive, told in the agency's terms. */
function notAZip(bytes: Buffer): Problem {
  if (bytes.subarray(0, CFB_SIGNATURE.length).equals(CFB_SIGNATURE)) {
    return unsupported(
      'The file is a password-protected (encrypted) workbook, or an old-style .xls workbook; neither can be read.',
      'Remove the password (in Excel: File → Info → Protect Workbook → Encrypt with Password, clear it), then File → Save As → Excel Workbook (.xlsx).',
    );
  }
  if (looksLikeText(bytes)) {
    return unsupported(
      'The file is text (perhaps CSV), not an Excel workbook, although it is named .xlsx.',
      'Upload a CSV file with the .csv extension, or save the sheet in Excel as Excel Workbook (.xlsx).',
    );
  }
  return unsupported('The file is not an Excel workbook (.xlsx): it is not a ZIP archive.');
}

function looksLikeText(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 512);
  if (head.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * The entry count the end-of-central-directory record declares (ZIP64 included), read before
 * jszip builds an object per entry; null when the record cannot be found or read.
 */
function declaredEntryCount(bytes: Buffer): number | null {
  const eocd = bytes.lastIndexOf(ZIP_SIGNATURES[1]!);
  if (eocd < 0 || eocd + 22 > bytes.length) return null;
  const count = bytes.readUInt16LE(eocd + 10);
  if (count !== 0xffff) return count;
  const locator = eocd - 20;
  if (locator < 0 || bytes.readUInt32LE(locator) !== 0x07064b50) return null;
  const at = Number(bytes.readBigUInt64LE(locator + 8));
  if (at + 56 > bytes.length || bytes.readUInt32LE(at) !== 0x06064b50) return null;
  return Number(bytes.readBigUInt64LE(at + 32));
}

// ---------------------------------------------------------------------------------------------
// Preflight: everything that must hold before exceljs reads a byte

/** The parts exceljs needs to read one sheet, inflated and checked. */
type SheetParts = {
  /** The sheet's name, for messages. */
  name: string;
  /** True when no sheet is named `return` and the first visible worksheet was taken. */
  fallback: boolean;
  workbook: Buffer;
  styles: Buffer | null;
  sharedStrings: Buffer | null;
  sheet: Buffer;
};

type Preflight = Result<SheetParts, Problem>;

function zipBomb(message: string): Problem {
  return problem(
    'zip-bomb',
    {},
    message,
    'Upload the return saved directly from Excel (File → Save As → Excel Workbook (.xlsx)), or as CSV UTF-8.',
  );
}

function macroWorkbook(message: string): Problem {
  return problem(
    'macro-workbook',
    {},
    message,
    'Save it as a plain workbook: in Excel, File → Save As → Excel Workbook (.xlsx) (not .xlsm), then upload that file.',
  );
}

async function preflight(bytes: Buffer, maxCells: number): Promise<Preflight> {
  if (!ZIP_SIGNATURES.some((s) => bytes.subarray(0, 4).equals(s))) return err(notAZip(bytes));
  const entryCount = declaredEntryCount(bytes);
  if (entryCount !== null && entryCount > XLSX_LIMITS.maxEntries) {
    return err(zipBomb(`The workbook's archive declares ${entryCount} entries; a workbook has a few dozen.`));
  }

  let zip: JSZip;
  try {
    // jszip reads the central directory and local headers only: nothing is inflated here.
    zip = await (await loadJSZip()).loadAsync(bytes);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/encrypt/i.test(message)) {
      return err(
        unsupported(
          'The workbook is encrypted (password-protected) and cannot be read.',
          'Remove the password, then File → Save As → Excel Workbook (.xlsx).',
        ),
      );
    }
    return err(
      unsupported(`The workbook is damaged: its ZIP archive cannot be read (${truncate(message, 120)}).`),
    );
  }
  const entries = Object.values(zip.files).filter((f) => !f.dir);
  if (entries.length > XLSX_LIMITS.maxEntries) {
    return err(zipBomb(`The workbook's archive has ${entries.length} entries; a workbook has a few dozen.`));
  }

  // Sizes come from the central directory: an honest bomb is refused without inflating anything.
  let total = 0;
  for (const entry of entries) {
    const { compressedSize, uncompressedSize } = sizesOf(entry);
    total += uncompressedSize;
    if (
      uncompressedSize > XLSX_LIMITS.ratioCheckedAboveBytes &&
      uncompressedSize > XLSX_LIMITS.maxRatio * Math.max(compressedSize, 1)
    ) {
      return err(
        zipBomb(
          `The workbook part "${truncate(entry.name, 60)}" expands from ${compressedSize} to ${uncompressedSize} bytes (more than ${XLSX_LIMITS.maxRatio} times): it looks like a ZIP bomb.`,
        ),
      );
    }
  }
  if (total > XLSX_LIMITS.maxUnzippedBytes) {
    return err(
      zipBomb(
        `The workbook expands to ${total} bytes, more than the ${XLSX_LIMITS.maxUnzippedBytes} allowed.`,
      ),
    );
  }

  // Macros: VBA projects, Excel 4 macro sheets, or a macro-enabled content type (.xlsm, .xltm, .xlam).
  if (entries.some((e) => /vbaProject[^/]*\.bin$/i.test(e.name) || /^xl\/macrosheets\//i.test(e.name))) {
    return err(macroWorkbook('The workbook contains macros (a VBA project or macro sheets).'));
  }
  if (zip.file('xl/workbook.bin')) {
    return err(
      unsupported('The file is an Excel binary workbook (.xlsb), which cannot be read.', SAVE_AS_XLSX),
    );
  }
  const contentTypes = zip.file('[Content_Types].xml');
  if (contentTypes) {
    const types = await inflate(contentTypes);
    if (!types.ok) return err(types.error);
    if (/macroEnabled/i.test(types.value.toString('latin1'))) {
      return err(macroWorkbook('The workbook is macro-enabled (saved as .xlsm, .xltm or .xlam).'));
    }
  }

  const workbookEntry = zip.file('xl/workbook.xml');
  const relsEntry = zip.file('xl/_rels/workbook.xml.rels');
  if (!workbookEntry || !relsEntry) {
    const ods = zip.file('mimetype') !== null || zip.file('content.xml') !== null;
    return err(
      unsupported(
        ods
          ? 'The file is an OpenDocument spreadsheet (.ods), not an Excel workbook.'
          : 'The file is a ZIP archive but not an Excel workbook (it has no xl/workbook.xml).',
        ods
          ? 'Save it as Excel Workbook (.xlsx) (in LibreOffice: File → Save As → Excel 2007-365).'
          : SAVE_AS_XLSX,
      ),
    );
  }
  const workbook = await inflate(workbookEntry);
  if (!workbook.ok) return err(workbook.error);
  const rels = await inflate(relsEntry);
  if (!rels.ok) return err(rels.error);

  const relations = parseRelationships(rels.value.toString('utf8'));
  const sheets = parseSheets(workbook.value.toString('utf8')).flatMap((s) => {
    const rel = relations.get(s.rId);
    return rel && /\/worksheet$/.test(rel.type) ? [{ ...s, path: resolvePart(rel.target) }] : [];
  });
  const named = sheets.find((s) => s.name.trim().toLowerCase() === RETURN_SHEET);
  const chosen = named ?? sheets.find((s) => s.state === 'visible') ?? sheets[0];
  if (!chosen) {
    return err(
      problem(
        'no-rows',
        {},
        'The workbook has no worksheet.',
        `Put the return on a sheet named "${RETURN_SHEET}": a header row date, metric, breakdown, value, then one row per date and metric.`,
      ),
    );
  }
  const sheetEntry = zip.file(chosen.path);
  if (!sheetEntry) {
    return err(unsupported(`The workbook is damaged: the sheet "${truncate(chosen.name, 40)}" is missing.`));
  }
  const sheet = await inflate(sheetEntry);
  if (!sheet.ok) return err(sheet.error);
  const cells = countCells(sheet.value, maxCells);
  if (cells > maxCells) {
    return err(
      problem(
        'too-many-cells',
        {},
        `The sheet "${truncate(chosen.name, 40)}" has more than ${maxCells} cells; reading stopped before it started.`,
        'Copy only the return’s rows and its columns (date, metric, breakdown, value) into a new workbook, and upload that.',
      ),
    );
  }

  const partOf = async (type: string): Promise<Result<Buffer | null, Problem>> => {
    const rel = [...relations.values()].find((r) => r.type.endsWith(`/${type}`));
    const entry = rel ? zip.file(resolvePart(rel.target)) : null;
    return entry ? inflate(entry) : ok(null);
  };
  const styles = await partOf('styles');
  if (!styles.ok) return err(styles.error);
  const sharedStrings = await partOf('sharedStrings');
  if (!sharedStrings.ok) return err(sharedStrings.error);

  const parts = [workbook.value, sheet.value, styles.value, sharedStrings.value];
  if (parts.some((p) => p !== null && (p.includes('<!DOCTYPE') || p.includes('<!ENTITY')))) {
    return err(
      unsupported('The workbook contains a document type declaration (DTD), which Excel never writes.'),
    );
  }
  // exceljs's streaming parser never reports a document that stops short; a cut-off sheet would
  // otherwise pass for a shorter return.
  if (
    !endsWithRoot(sheet.value, 'worksheet') ||
    (sharedStrings.value && !endsWithRoot(sharedStrings.value, 'sst'))
  ) {
    return err(
      unsupported(
        `The workbook is damaged: the sheet "${truncate(chosen.name, 40)}" or its text stops short.`,
      ),
    );
  }
  return ok({
    name: chosen.name,
    fallback: named === undefined,
    workbook: workbook.value,
    styles: styles.value,
    sharedStrings: sharedStrings.value,
    sheet: sheet.value,
  });
}

type Sizes = { compressedSize: number; uncompressedSize: number };

/**
 * The sizes the central directory declares for an entry. jszip keeps them on a private field (its
 * index.d.ts documents it as `CompressedObject`); it is read, never written.
 */
function sizesOf(entry: JSZip.JSZipObject): Sizes {
  const data = (entry as unknown as { _data?: Partial<Sizes> })._data;
  const compressedSize = data?.compressedSize;
  const uncompressedSize = data?.uncompressedSize;
  assert(
    typeof compressedSize === 'number' && typeof uncompressedSize === 'number',
    `jszip no longer exposes the sizes of "${entry.name}" on _data: check the jszip version`,
  );
  return { compressedSize, uncompressedSize };
}

/**
 * Inflates one entry, refusing to produce more bytes than the central directory declared: that
 * declaration is what the size checks trusted, so a lying one is a bomb, stopped as it starts.
 */
function inflate(entry: JSZip.JSZipObject): Promise<Result<Buffer, Problem>> {
  const declared = sizesOf(entry).uncompressedSize;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const stream = entry.nodeStream('nodebuffer');
    stream.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > declared) {
        stream.removeAllListeners('data');
        stream.pause();
        resolve(
          err(
            zipBomb(
              `The workbook part "${truncate(entry.name, 60)}" expands beyond the ${declared} bytes its archive declares.`,
            ),
          ),
        );
        return;
      }
      chunks.push(chunk);
    });
    stream.on('error', (e: unknown) => {
      const message = e instanceof Error ? e.message : String(e);
      resolve(
        err(
          unsupported(
            `The workbook is damaged: the part "${truncate(entry.name, 60)}" cannot be unpacked (${truncate(message, 80)}).`,
          ),
        ),
      );
    });
    stream.on('end', () => resolve(ok(Buffer.concat(chunks, total))));
  });
}

/** True when the XML part ends by closing its root element `root` (or is that element, self-closed). */
function endsWithRoot(xml: Buffer, root: string): boolean {
  const tail = xml
    .subarray(Math.max(0, xml.length - 256))
    .toString('latin1')
    .trimEnd();
  return (
    new RegExp(`</(?:[\\w.-]+:)?${root}>$`).test(tail) ||
    new RegExp(`<(?:[\\w.-]+:)?${root}\\b[^<>]*/>$`).test(tail)
  );
}

/** `<c …>` elements (cells) in sheet XML, counted up to just past `limit`. */
function countCells(xml: Buffer, limit: number): number {
  let count = 0;
  // A plain loop over the bytes: a call per match (indexOf) costs twenty times more on 2 million cells.
  for (let i = 0, end = xml.length - 2; i < end && count <= limit; i++) {
    if (xml[i] !== 0x3c || xml[i + 1] !== 0x63) continue;
    // `<c ` `<c>` `<c/>` and not `<col`, `<cfRule` …; whitespace may be a space, tab or line end.
    const next = xml[i + 2];
    if (next === 0x20 || next === 0x3e || next === 0x2f || next === 0x09 || next === 0x0a || next === 0x0d) {
      count++;
    }
  }
  return count;
}

// ---------------------------------------------------------------------------------------------
// Finding the sheet: workbook.xml lists sheets in tab order; its relationships say where each is.

type SheetEntry = { name: string; rId: string; state: string };
type Relationship = { type: string; target: string };

function parseSheets(xml: string): SheetEntry[] {
  const sheets: SheetEntry[] = [];
  for (const m of xml.matchAll(/<(?:[\w.-]+:)?sheet\s([^>]*)>/g)) {
    const attrs = attributes(m[1] ?? '');
    const rId = [...attrs].find(([k]) => /:id$/.test(k))?.[1];
    if (rId === undefined) continue;
    sheets.push({ name: attrs.get('name') ?? '', rId, state: attrs.get('state') ?? 'visible' });
  }
  return sheets;
}

function parseRelationships(xml: string): Map<string, Relationship> {
  const rels = new Map<string, Relationship>();
  for (const m of xml.matchAll(/<(?:[\w.-]+:)?Relationship\s([^>]*)>/g)) {
    const attrs = attributes(m[1] ?? '');
    const id = attrs.get('Id');
    const target = attrs.get('Target');
    if (id === undefined || target === undefined || attrs.get('TargetMode') === 'External') continue;
    rels.set(id, { type: attrs.get('Type') ?? '', target });
  }
  return rels;
}

function attributes(text: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const m of text.matchAll(/([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    attrs.set(m[1] ?? '', decodeXml(m[2] ?? m[3] ?? ''));
  }
  return attrs;
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code =
        name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return XML_ENTITIES[name] ?? whole;
  });
}

/** A relationship target of xl/workbook.xml as a path inside the archive. */
function resolvePart(target: string): string {
  const segments = target.startsWith('/') ? [] : ['xl'];
  for (const segment of target.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return segments.join('/');
}

// ---------------------------------------------------------------------------------------------
// Reading the sheet with exceljs

const WORKSHEET_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet';
const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';

/**
 * A minimal workbook holding only the checked parts, each stored uncompressed in the order
 * exceljs's streaming reader needs them (strings and relationships before the sheet, so it never
 * spills the sheet to a temporary file). Its local headers are ours, so exceljs's reader, which
 * walks local headers rather than the central directory, sees exactly what was checked.
 */
async function rebuild(parts: SheetParts): Promise<Buffer> {
  const zip = new (await loadJSZip())();
  const at = new Date(Date.UTC(2000, 0, 1));
  const add = (name: string, content: Buffer | string): void => {
    zip.file(name, content, { date: at, compression: 'STORE' });
  };
  add(
    'xl/_rels/workbook.xml.rels',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${WORKSHEET_REL}" Target="worksheets/sheet1.xml"/></Relationships>`,
  );
  // The original workbook part carries the date system (1900 or 1904) that date cells depend on.
  add('xl/workbook.xml', parts.workbook);
  if (parts.styles) add('xl/styles.xml', parts.styles);
  add(
    'xl/sharedStrings.xml',
    parts.sharedStrings ??
      `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${MAIN_NS}" count="0" uniqueCount="0"/>`,
  );
  add('xl/worksheets/sheet1.xml', parts.sheet);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'STORE' });
}

type Columns = ReturnType<ReturnChecker['header']>;

async function readSheet(parts: SheetParts, checker: ReturnChecker): Promise<void> {
  const sheetLabel = `"${truncate(parts.name, 40)}"${parts.fallback ? ` (the workbook has no sheet named "${RETURN_SHEET}")` : ''}`;
  let header: { columns: Columns; width: number } | undefined;
  let previous = 0;
  try {
    const reader = new (await loadExcelJS()).stream.xlsx.WorkbookReader(Readable.from(await rebuild(parts)), {
      worksheets: 'emit',
      sharedStrings: 'cache',
      // Styles say which numbers are dates.
      styles: 'cache',
      hyperlinks: 'ignore',
      entries: 'ignore',
    });
    for await (const sheet of reader) {
      for await (const row of sheet) {
        // A row without its number (optional in the format) follows the one before it.
        const number = Number.isSafeInteger(row.number) && row.number > previous ? row.number : previous + 1;
        previous = number;
        const cells = cellsOf(row);
        if (cells.every((c) => c.formula === null && c.text.trim() === '')) continue;
        const at = new Map(cells.map((c) => [c.col, c]));
        const formulas = cells.filter((c) => c.formula !== null);
        for (const c of formulas) {
          checker.fileProblem(formulaProblem(number, c, header ? header.columns[c.col - 1] : undefined));
        }
        if (!header) {
          const width = Math.max(
            ...cells.filter((c) => c.text.trim() !== '' || c.formula !== null).map((c) => c.col),
          );
          const names = Array.from({ length: width }, (_, i) => at.get(i + 1)?.text ?? '');
          header = { columns: checker.header(names, number), width };
          continue;
        }
        if (formulas.length > 0) continue;
        const stray = cells.find((c) => c.col > header!.width && c.text.trim() !== '');
        if (stray) {
          checker.fileProblem(
            problem(
              'wrong-field-count',
              { row: number, column: columnLetter(stray.col), value: stray.text },
              `Row ${number} has a value in column ${columnLetter(stray.col)}, to the right of the header’s last column (${columnLetter(header.width)}).`,
              'Delete what is to the right of the table: a return has only the columns date, metric, breakdown, value and country, each with its header.',
            ),
          );
          continue;
        }
        const record: Record<string, string> = {};
        header.columns.forEach((column, i) => {
          if (column) record[column] = at.get(i + 1)?.text ?? '';
        });
        checker.row({ row: number, cells: record });
        if (checker.stopped) return;
      }
      // The rebuilt workbook holds one sheet.
      break;
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    checker.fileProblem(
      unsupported(
        `The sheet ${sheetLabel} cannot be read after row ${previous}: ${truncate(message, 120)}.`,
        'Open the workbook in Excel and save it again (File → Save As → Excel Workbook (.xlsx)).',
      ),
    );
    return;
  }
  if (!header) {
    checker.fileProblem(
      problem(
        'no-rows',
        {},
        `The sheet ${sheetLabel} is empty.`,
        `Start the sheet "${RETURN_SHEET}" with the header row date, metric, breakdown, value, then one row per date and metric.`,
      ),
    );
  }
}

/** One non-empty cell as the checker sees it: its text, or the formula it holds. */
type SheetCell = { col: number; text: string; formula: string | null };

function cellsOf(row: ExcelJS.Row): SheetCell[] {
  const cells: SheetCell[] = [];
  row.eachCell({ includeEmpty: false }, (cell, col) => {
    const value: unknown = cell.value;
    const formula = formulaOf(value);
    cells.push({ col, text: formula === null ? textOf(value) : '', formula });
  });
  return cells;
}

/**
 * The formula a cell holds ('' for a cell sharing another cell's formula), or null. exceljs gives a
 * formula cell the value `{ formula, result }` (or `{ sharedFormula, result }`); the cached result
 * is never used: it is whatever the last program to save the file computed.
 */
function formulaOf(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || value instanceof Date) return null;
  const v = value as { formula?: unknown; sharedFormula?: unknown };
  if ('formula' in v) return typeof v.formula === 'string' ? v.formula : '';
  if ('sharedFormula' in v) return '';
  return null;
}

/** A cell's value as the text a CSV export of it would hold. */
function textOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    // Whole numbers in full digits (so 1e21 is a figure too large, not exponent notation);
    // fractions in decimal form, which the checker rejects as not whole.
    return Number.isInteger(value) ? BigInt(value).toString() : String(value);
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return isoDay(value);
  if (typeof value === 'object') {
    const v = value as { richText?: unknown; text?: unknown; error?: unknown };
    if (Array.isArray(v.richText)) {
      return v.richText
        .map((run: { text?: unknown }) => (typeof run?.text === 'string' ? run.text : ''))
        .join('');
    }
    if ('text' in v) return textOf(v.text);
    if (typeof v.error === 'string') return v.error;
  }
  // Never silently blank a cell (a blank breakdown means the total): show what it was.
  return JSON.stringify(value) ?? String(value);
}

/**
 * The calendar day of an Excel date cell. exceljs maps the serial number Excel stores (which has no
 * time zone) onto UTC, so the day is read in UTC whatever the process's zone; a time of day, if
 * any, does not change the day Excel shows.
 */
function isoDay(date: Date): string {
  if (Number.isNaN(date.getTime())) return 'not a valid date';
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth() + 1;
  const d = date.getUTCDate();
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function formulaProblem(row: number, cell: SheetCell, column: string | undefined): Problem {
  const address = `${columnLetter(cell.col)}${row}`;
  const shown = cell.formula ? `=${cell.formula}` : 'a formula copied from another cell';
  return problem(
    'formula-not-allowed',
    {
      row,
      column: column ?? columnLetter(cell.col),
      value: cell.formula ? `=${cell.formula}` : '(shared formula)',
    },
    `Cell ${address} holds ${cell.formula ? `the formula ${truncate(shown, 60)}` : shown}; formulas are not calculated here.`,
    'Paste values only (Paste Special → Values), or type the number.',
  );
}

/** Excel's column letters: 1 → A, 27 → AA. */
function columnLetter(col: number): string {
  let letters = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}
