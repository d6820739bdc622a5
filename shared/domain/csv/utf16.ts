import type { ChunkDecoder, Fail, StopReading } from './decoding.ts';

/** UTF-16 after its byte-order mark, checked for NUL characters and unpaired surrogates. */
export class Utf16Decoder implements ChunkDecoder {
  readonly skip = 2;
  readonly #encoding: 'utf-16le' | 'utf-16be';
  readonly #fail: Fail;
  // fatal: an unpaired surrogate is an error, not a replacement character (see #check).
  #decoder: TextDecoder | null = null;
  #bytes = 0;
  /** A high surrogate that ended the last chunk: its pair may start the next. */
  #high = '';

  constructor(encoding: 'utf-16le' | 'utf-16be', fail: Fail) {
    this.#encoding = encoding;
    this.#fail = fail;
  }

  async write(bytes: Uint8Array): Promise<string> {
    this.#bytes += bytes.length;
    this.#decoder ??= new TextDecoder(this.#encoding, { fatal: true, ignoreBOM: true });
    let text = this.#high + this.#decode(bytes, true);
    this.#high = '';
    const last = text.charCodeAt(text.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      this.#high = text.slice(-1);
      text = text.slice(0, -1);
    }
    this.#check(text);
    return text;
  }

  async end(): Promise<string> {
    if (this.#bytes % 2 !== 0) {
      throw this.#fail('not-utf8.cut-utf16', {});
    }
    const text = this.#high + (this.#decoder ? this.#decode(new Uint8Array(0), false) : '');
    this.#high = '';
    this.#check(text);
    return text;
  }

  #decode(bytes: Uint8Array, stream: boolean): string {
    try {
      return (this.#decoder as TextDecoder).decode(bytes, { stream });
    } catch {
      throw this.#surrogate();
    }
  }

  #surrogate(): StopReading {
    return this.#fail('not-utf8.utf16-surrogate', {});
  }

  #check(text: string): void {
    if (text.includes('\0')) {
      throw this.#fail('not-utf8.utf16-binary', {});
    }
    if (UNPAIRED_SURROGATE.test(text)) throw this.#surrogate();
  }
}

const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
