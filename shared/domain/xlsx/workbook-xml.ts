// ---------------------------------------------------------------------------------------------
// Finding the sheet: workbook.xml lists sheets in tab order; its relationships say where each is.

/** The name of the sheet a return is read from (any case); without one, the first visible worksheet. */
export const RETURN_SHEET = 'return';

type SheetEntry = { name: string; rId: string; state: string };
type Relationship = { type: string; target: string };

/** The sheets workbook.xml lists, in tab order, each with its relationship id and visibility. */
export function parseSheets(xml: string): SheetEntry[] {
  const sheets: SheetEntry[] = [];
  for (const m of xml.matchAll(/<(?:[\w.-]+:)?sheet\s([^>]*)>/g)) {
    const attrs = attributes(m[1] ?? '');
    const rId = [...attrs].find(([k]) => /:id$/.test(k))?.[1];
    if (rId === undefined) continue;
    sheets.push({ name: attrs.get('name') ?? '', rId, state: attrs.get('state') ?? 'visible' });
  }
  return sheets;
}

/** The workbook's internal relationships by id (external targets are left out). */
export function parseRelationships(xml: string): Map<string, Relationship> {
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
export function resolvePart(target: string): string {
  const segments = target.startsWith('/') ? [] : ['xl'];
  for (const segment of target.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return segments.join('/');
}
