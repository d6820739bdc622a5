import type JSZip from 'jszip';
import { type Problem, problem, truncate } from '../problems.ts';
import { err, ok, type Result } from '../result.ts';
import { loadJSZip } from './libraries.ts';
import { XLSX_LIMITS } from './limits.ts';
import { parseRelationships, parseSheets, RETURN_SHEET, resolvePart } from './workbook-xml.ts';
import { macroWorkbook, unsupported, zipBomb } from './xlsx-problems.ts';
import { declaredEntryCount, inflate, notAZip, sizesOf, ZIP_SIGNATURES } from './zip-archive.ts';

// ---------------------------------------------------------------------------------------------
// Preflight: everything that must hold before exceljs reads a byte

/** The parts exceljs needs to read one sheet, inflated and checked. */
export type SheetParts = {
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

/**
 * Checks a workbook's archive and returns the parts exceljs needs to read its return sheet, or the
 * problem that stops it from being read. Nothing is inflated beyond what the archive declares.
 */
export async function preflight(bytes: Buffer, maxCells: number): Promise<Preflight> {
  if (!ZIP_SIGNATURES.some((s) => bytes.subarray(0, 4).equals(s))) return err(notAZip(bytes));
  const entryCount = declaredEntryCount(bytes);
  if (entryCount !== null && entryCount > XLSX_LIMITS.maxEntries) {
    return err(zipBomb('zip-bomb.declared-entries', { count: entryCount }));
  }

  let zip: JSZip;
  try {
    // jszip reads the central directory and local headers only: nothing is inflated here.
    zip = await (await loadJSZip()).loadAsync(bytes);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/encrypt/i.test(message)) {
      return err(unsupported('unsupported-format.encrypted', {}));
    }
    return err(unsupported('unsupported-format.damaged-zip', { detail: truncate(message, 120) }));
  }
  const entries = Object.values(zip.files).filter((f) => !f.dir);
  if (entries.length > XLSX_LIMITS.maxEntries) {
    return err(zipBomb('zip-bomb.entries', { count: entries.length }));
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
        zipBomb('zip-bomb.ratio', {
          part: truncate(entry.name, 60),
          from: compressedSize,
          to: uncompressedSize,
          ratio: XLSX_LIMITS.maxRatio,
        }),
      );
    }
  }
  if (total > XLSX_LIMITS.maxUnzippedBytes) {
    return err(zipBomb('zip-bomb.total', { size: total, limit: XLSX_LIMITS.maxUnzippedBytes }));
  }

  // Macros: VBA projects, Excel 4 macro sheets, or a macro-enabled content type (.xlsm, .xltm, .xlam).
  if (entries.some((e) => /vbaProject[^/]*\.bin$/i.test(e.name) || /^xl\/macrosheets\//i.test(e.name))) {
    return err(macroWorkbook('macro-workbook'));
  }
  if (zip.file('xl/workbook.bin')) {
    return err(unsupported('unsupported-format.xlsb', {}));
  }
  const contentTypes = zip.file('[Content_Types].xml');
  if (contentTypes) {
    const types = await inflate(contentTypes);
    if (!types.ok) return err(types.error);
    if (/macroEnabled/i.test(types.value.toString('latin1'))) {
      return err(macroWorkbook('macro-workbook.macro-enabled'));
    }
  }

  const workbookEntry = zip.file('xl/workbook.xml');
  const relsEntry = zip.file('xl/_rels/workbook.xml.rels');
  if (!workbookEntry || !relsEntry) {
    const ods = zip.file('mimetype') !== null || zip.file('content.xml') !== null;
    return err(unsupported(ods ? 'unsupported-format.ods' : 'unsupported-format.not-workbook', {}));
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
    return err(problem('no-rows.no-sheet', {}, { returnSheet: RETURN_SHEET }));
  }
  const sheetEntry = zip.file(chosen.path);
  if (!sheetEntry) {
    return err(unsupported('unsupported-format.sheet-missing', { sheet: truncate(chosen.name, 40) }));
  }
  const sheet = await inflate(sheetEntry);
  if (!sheet.ok) return err(sheet.error);
  const cells = countCells(sheet.value, maxCells);
  if (cells > maxCells) {
    return err(problem('too-many-cells', {}, { sheet: truncate(chosen.name, 40), limit: maxCells }));
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
    return err(unsupported('unsupported-format.dtd', {}));
  }
  // exceljs's streaming parser never reports a document that stops short; a cut-off sheet would
  // otherwise pass for a shorter return.
  if (
    !endsWithRoot(sheet.value, 'worksheet') ||
    (sharedStrings.value && !endsWithRoot(sharedStrings.value, 'sst'))
  ) {
    return err(unsupported('unsupported-format.cut-short', { sheet: truncate(chosen.name, 40) }));
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
