/**
 * Scans of JSON text that `JSON.parse` cannot do for us: how deep it nests (checked before
 * parsing, as a depth bomb costs `JSON.parse` a gigabyte) and which objects give a key twice
 * (`JSON.parse` silently keeps the last, other readers the first). Plain loops over the text: no
 * parsing, no recursion, linear time.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/**
 * The position where JSON text opens more than `max` nested lists or objects, or -1. Brackets
 * inside strings are skipped; the text need not be valid JSON.
 */
export function nestedDeeperAt(text: string, max: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      // A backslash escapes the next character.
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > max) return i;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
  }
  return -1;
}

/** A key given again in the same object. Values are their JSON text as written. */
export type DuplicateKey = {
  key: string;
  /** 1-based position in the top-level `rows` list of the row holding the object, else null. */
  row: number | null;
  /** The value given with the key's first occurrence. */
  first: string;
  /** The value given with this repetition. */
  again: string;
};

type ObjectFrame = {
  kind: 'object';
  /** key → where its first value's text starts and ends. */
  keys: Map<string, [number, number]>;
  /** The key whose value is being read, and where the value started (after the colon). */
  key: string | null;
  valueStart: number;
  /** True after "{" or ",": the next string is a key. */
  expectKey: boolean;
};
type ArrayFrame = { kind: 'array'; index: number };

/**
 * Every repetition of a key within one object of valid JSON `text`, in text order. Keys are
 * compared as `JSON.parse` reads them (`"\u0076alue"` is `"value"`). Text that is not valid JSON
 * gives no promise beyond terminating.
 */
export function duplicateKeys(text: string): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  const stack: (ObjectFrame | ArrayFrame)[] = [];
  // The row an object belongs to: `{ "rows": [ row, row, … ] }` at the top.
  const rowNow = (): number | null => {
    const [top, list] = stack;
    return top?.kind === 'object' && top.key === 'rows' && list?.kind === 'array' ? list.index + 1 : null;
  };
  // Ends the value of the innermost object's current key at `end` (a "," or "}"), noting a repetition.
  const endValue = (frame: ObjectFrame, end: number): void => {
    if (frame.key === null) return;
    const first = frame.keys.get(frame.key);
    if (first) {
      found.push({
        key: frame.key,
        row: rowNow(),
        first: text.slice(first[0], first[1]).trim(),
        again: text.slice(frame.valueStart, end).trim(),
      });
    } else frame.keys.set(frame.key, [frame.valueStart, end]);
    frame.key = null;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const frame = stack.at(-1);
    if (c === QUOTE) {
      const start = i;
      i = stringEnd(text, start);
      if (frame?.kind === 'object' && frame.expectKey) {
        const raw = text.slice(start, i + 1);
        frame.key = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        frame.expectKey = false;
      }
    } else if (c === COLON) {
      if (frame?.kind === 'object') frame.valueStart = i + 1;
    } else if (c === COMMA) {
      if (frame?.kind === 'object') {
        endValue(frame, i);
        frame.expectKey = true;
      } else if (frame?.kind === 'array') frame.index++;
    } else if (c === OPEN_OBJECT) {
      stack.push({ kind: 'object', keys: new Map(), key: null, valueStart: i, expectKey: true });
    } else if (c === OPEN_ARRAY) {
      stack.push({ kind: 'array', index: 0 });
    } else if (c === CLOSE_OBJECT) {
      if (frame?.kind === 'object') endValue(frame, i);
      stack.pop();
    } else if (c === CLOSE_ARRAY) {
      stack.pop();
    }
  }
  return found;
}

/** The position of the quote that closes the string opened at `start` (the text's end if none). */
function stringEnd(text: string, start: number): number {
  // indexOf skips long strings fast; a quote after an odd run of backslashes is escaped.
  let end = text.indexOf('"', start + 1);
  while (end !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return text.length;
}
