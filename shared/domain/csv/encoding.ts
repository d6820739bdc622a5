import { isAscii } from 'node:buffer';
import { type Problem, type ProblemParams, problem } from '../problems.ts';
import { type ChunkDecoder, type Fail, StopReading, type TextFormat } from './decoding.ts';
import { Utf16Decoder } from './utf16.ts';

/** What the text of a return may be, and where its problems go. */
export type DecodeOptions = {
  /** The operation's file-size limit, in bytes as received. */
  maxBytes: number;
  /**
   * CSV: UTF-16 with a byte-order mark and Windows-1252 are converted too, with a warning. JSON:
   * UTF-8 only, as its standard (RFC 8259) requires.
   */
  convert: boolean;
  /** Receives every problem found. A warning lets reading go on; an error ends it (`StopReading`). */
  report: (p: Problem) => void;
};

/**
 * Decodes a return's bytes to text as they stream, holding at most a few bytes between chunks:
 *
 * - UTF-8, with or without a byte-order mark (dropped), always;
 * - with `convert`: UTF-16 LE or BE announced by a byte-order mark (Excel's "Unicode Text"), and
 *   Windows-1252 (Excel's "CSV" on Western European Windows) — but only for text that is not valid
 *   UTF-8, from the first byte that is not, when everything before it was plain ASCII and no byte
 *   is a control character or one Windows-1252 leaves undefined. Each conversion is reported as an
 *   `encoding-converted` warning naming the encoding.
 *
 * Anything else ends with one error: `not-utf8` (other encodings, binary data, a file mixing
 * encodings, UTF-8-shaped but forbidden sequences such as overlong forms), `unsupported-format`
 * (a ZIP archive), `file-too-large` or `empty-file`.
 */
export async function* decodeText(
  source: AsyncIterable<Uint8Array>,
  options: DecodeOptions,
): AsyncGenerator<string> {
  const format: TextFormat = options.convert ? 'csv' : 'json';
  const fail: Fail = (id, params) => {
    // Every message of a failure takes `format` or ignores it: the catalogue test checks the rest.
    options.report(problem(id, {}, { format, ...params } as unknown as ProblemParams<typeof id>));
    return new StopReading();
  };
  let total = 0;
  // The first bytes tell byte-order marks, UTF-16 without one, and ZIP files apart; they may arrive
  // one at a time.
  let head: Uint8Array | null = new Uint8Array(0);
  let decoder: ChunkDecoder | null = null;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > options.maxBytes) {
      throw fail('file-too-large', { limit: options.maxBytes });
    }
    let bytes = chunk;
    if (head) {
      bytes = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      if (bytes.length < SIGNATURE_BYTES) {
        head = bytes;
        continue;
      }
      head = null;
      decoder = startDecoding(bytes, options, fail);
      bytes = bytes.subarray(decoder.skip);
    }
    const text = await (decoder as ChunkDecoder).write(bytes);
    if (text) yield text;
  }
  if (head && head.length > 0) {
    decoder = startDecoding(head, options, fail);
    const text = await decoder.write(head.subarray(decoder.skip));
    if (text) yield text;
  }
  if (total === 0) {
    throw fail('empty-file', {});
  }
  const rest = await (decoder as ChunkDecoder).end();
  if (rest) yield rest;
}

/** How many leading bytes decide the encoding (a UTF-32 byte-order mark is four). */
const SIGNATURE_BYTES = 4;

/** Chooses the decoder from the file's first bytes (at least four, unless the file is shorter). */
function startDecoding(first: Uint8Array, options: DecodeOptions, fail: Fail): ChunkDecoder {
  const [b0, b1, b2, b3] = first;
  if (
    (b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) ||
    (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff)
  ) {
    throw fail('not-utf8.utf32', {});
  }
  const le = b0 === 0xff && b1 === 0xfe;
  if (le || (b0 === 0xfe && b1 === 0xff)) {
    if (!options.convert) throw fail('not-utf8.utf16', {});
    const encoding = le ? 'utf-16le' : 'utf-16be';
    options.report(
      problem('encoding-converted.utf16', { value: encoding }, { endian: le ? 'little' : 'big' }),
    );
    return new Utf16Decoder(encoding, fail);
  }
  // An ASCII character in UTF-16 has a NUL byte on one side: "d\0a\0" or "\0d\0a".
  const ascii = (b: number | undefined): boolean => b !== undefined && b > 0 && b < 0x80;
  if (
    first.length >= 4 &&
    ((ascii(b0) && b1 === 0 && ascii(b2) && b3 === 0) || (b0 === 0 && ascii(b1) && b2 === 0 && ascii(b3)))
  ) {
    throw fail('not-utf8.utf16-without-bom', {});
  }
  if (b0 === 0x50 && b1 === 0x4b) {
    throw fail('unsupported-format.zip-as-text', {});
  }
  const bom = b0 === 0xef && b1 === 0xbb && b2 === 0xbf;
  // A UTF-8 byte-order mark says what the file is: text after it that is not UTF-8 is not guessed at.
  return new Utf8Decoder(
    { skip: bom ? 3 : 0, convert: options.convert && !bom, report: options.report },
    fail,
  );
}

/**
 * Windows-1252 is ISO-8859-1 but for 0x80–0x9F, where it has these characters (the five bytes it
 * leaves undefined are refused before: NOT_WINDOWS_1252). A table of 32 entries instead of an
 * encoding library: Node's TextDecoder reads the "windows-1252" label as ISO-8859-1 (0x80 → U+0080,
 * not €), and iconv-lite would add ~490 KB to the Lambda bundles for this one table.
 */
const WINDOWS_1252_C1 =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function fromWindows1252(latin1: string): string {
  return latin1.replace(/[\x80-\x9f]/g, (c) => WINDOWS_1252_C1[c.charCodeAt(0) - 0x80] as string);
}

/** Control characters no text return holds (tab, line feed and carriage return are not among them). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]/;
const isControl = (b: number): boolean => (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f;

/** Bytes Windows-1252 does not define, controls, and NUL: none is in a Windows-1252 text file. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const NOT_WINDOWS_1252 = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x81\x8d\x8f\x90\x9d]/;

/**
 * UTF-8, checked byte by byte the way the Encoding Standard decodes it, so that the first byte
 * that is not UTF-8 is found exactly — even across chunks — and the file may switch to
 * Windows-1252 there, everything before it having been plain ASCII (the same in both).
 */
class Utf8Decoder implements ChunkDecoder {
  readonly skip: number;
  readonly #convert: boolean;
  readonly #report: (p: Problem) => void;
  readonly #fail: Fail;
  /** Offset in the file (after a byte-order mark) of the next byte to be written. */
  #at = 0;
  /** Continuation bytes the current sequence still needs, and the range the next one must be in. */
  #needed = 0;
  #lower = 0x80;
  #upper = 0xbf;
  /** The bytes of a sequence begun in an earlier chunk (at most three), not decoded yet. */
  #pending: number[] = [];
  /** The last byte was a lead byte UTF-8 never uses (0xC0, 0xC1, 0xF5–0xFF). */
  #badLead = false;
  /** A character beyond ASCII, or a control character, has been read as UTF-8. */
  #nonAscii = false;
  #control = false;
  /** Set once the text is read as Windows-1252. */
  #windows1252: ((bytes: Uint8Array) => string) | null = null;

  constructor(options: { skip: number; convert: boolean; report: (p: Problem) => void }, fail: Fail) {
    this.skip = options.skip;
    this.#convert = options.convert;
    this.#report = options.report;
    this.#fail = fail;
  }

  async write(bytes: Uint8Array): Promise<string> {
    const at = this.#at;
    this.#at += bytes.length;
    if (this.#windows1252) return this.#windows1252(bytes);
    if (this.#needed === 0 && !this.#badLead && isAscii(bytes)) {
      // The common case: plain ASCII, checked natively.
      const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
      if (text.includes('\0')) throw this.#binary();
      if (!this.#control && CONTROL.test(text)) this.#control = true;
      return text;
    }
    // Where the current sequence starts in `bytes`; -1 when it began in an earlier chunk.
    let start = this.#pending.length > 0 ? -1 : 0;
    for (let i = 0; i < bytes.length; i++) {
      const c = bytes[i] as number;
      if (this.#badLead) {
        this.#badLead = false;
        if (c >= 0x80 && c <= 0xbf) throw this.#forbidden(this.#offset(at, start));
        return this.#switch(bytes, start, this.#offset(at, start));
      }
      if (this.#needed === 0) {
        start = i;
        if (c < 0x80) {
          if (c === 0) throw this.#binary();
          if (isControl(c)) this.#control = true;
        } else if (c >= 0xc2 && c <= 0xdf) {
          this.#needed = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
          if (c === 0xe0) this.#lower = 0xa0;
          if (c === 0xed) this.#upper = 0x9f;
          this.#needed = 2;
        } else if (c >= 0xf0 && c <= 0xf4) {
          if (c === 0xf0) this.#lower = 0x90;
          if (c === 0xf4) this.#upper = 0x8f;
          this.#needed = 3;
        } else if (c >= 0x80 && c <= 0xbf) {
          // A continuation byte with nothing to continue: not UTF-8 at all.
          return this.#switch(bytes, i, at + i);
        } else {
          // 0xC0, 0xC1, 0xF5–0xFF: an overlong or out-of-range form if a continuation byte follows.
          this.#badLead = true;
        }
      } else if (c >= this.#lower && c <= this.#upper) {
        this.#lower = 0x80;
        this.#upper = 0xbf;
        this.#needed--;
        if (this.#needed === 0) this.#nonAscii = true;
      } else if (c >= 0x80 && c <= 0xbf) {
        // Shaped like UTF-8 but forbidden (overlong, surrogate, beyond U+10FFFF): a trick or a
        // broken encoder, never read as Windows-1252.
        throw this.#forbidden(at + i);
      } else {
        return this.#switch(bytes, start, this.#offset(at, start));
      }
    }
    // Decode the complete characters; keep an unfinished sequence (and a bad lead byte) for later.
    const open = this.#needed > 0 || this.#badLead;
    if (open && start < 0) {
      this.#pending.push(...bytes);
      return '';
    }
    const complete = bytes.subarray(0, open ? start : bytes.length);
    const text = Buffer.concat([Uint8Array.from(this.#pending), complete]).toString('utf8');
    this.#pending = open ? [...bytes.subarray(start)] : [];
    return text;
  }

  async end(): Promise<string> {
    if (this.#windows1252) return '';
    if (this.#badLead) return this.#switch(new Uint8Array(0), -1, this.#at - this.#pending.length);
    if (this.#needed > 0) {
      throw this.#fail('not-utf8.cut-character', {});
    }
    return '';
  }

  /**
   * Reads the rest of the file as Windows-1252 from `bytes[start]` (or from the pending sequence,
   * when `start` is -1), if nothing read so far forbids it; `at` is that byte's offset in the file.
   */
  async #switch(bytes: Uint8Array, start: number, at: number): Promise<string> {
    const first = start < 0 ? this.#pending[0] : bytes[start];
    const where = { byte: at + this.skip + 1, hex: (first ?? 0).toString(16).toUpperCase().padStart(2, '0') };
    // Everything before `where` was plain ASCII: the same text in both encodings.
    if (!this.#convert) {
      throw this.#fail('not-utf8.invalid', { ...where, bom: this.skip > 0 ? 'yes' : 'no' });
    }
    if (this.#nonAscii) {
      throw this.#fail('not-utf8.mixed', where);
    }
    if (this.#control) throw this.#binary();
    const decode = (chunk: Uint8Array, offset: number): string => {
      const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length).toString('latin1');
      const bad = text.search(NOT_WINDOWS_1252);
      if (bad >= 0) {
        const code = text.charCodeAt(bad);
        throw code < 0x20 || code === 0x7f
          ? this.#binary()
          : this.#fail('not-utf8.not-windows-1252', {
              byte: offset + bad + 1,
              hex: code.toString(16).toUpperCase(),
            });
      }
      return fromWindows1252(text);
    };
    let offset = this.#at + this.skip;
    this.#windows1252 = (chunk) => {
      const text = decode(chunk, offset);
      offset += chunk.length;
      return text;
    };
    const before = start < 0 ? '' : Buffer.from(bytes.subarray(0, start)).toString('latin1');
    const rest = start < 0 ? Uint8Array.from([...this.#pending, ...bytes]) : bytes.subarray(start);
    this.#pending = [];
    // What is at hand is checked before the warning: a binary file gets only its error.
    const text = before + decode(rest, at + this.skip);
    this.#report(problem('encoding-converted.windows-1252', { value: 'windows-1252' }, where));
    return text;
  }

  /** The offset in the file of the sequence starting at `start` of a chunk written at `at`. */
  #offset(at: number, start: number): number {
    return start < 0 ? at - this.#pending.length : at + start;
  }

  #binary(): StopReading {
    return this.#fail('not-utf8.binary', {});
  }

  #forbidden(at: number): StopReading {
    return this.#fail('not-utf8.forbidden-form', { byte: at + this.skip + 1 });
  }
}
