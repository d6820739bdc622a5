/** What the decoders of `encoding.ts` share: how they stop, fail and hint. */

/** Thrown once the text cannot be read further; the reason is already reported. */
export class StopReading extends Error {
  constructor() {
    super('stop reading');
    this.name = 'StopReadingError';
  }
}

export type Hints = { save: string; binary: string };
export type FailureCode = 'not-utf8' | 'unsupported-format' | 'file-too-large' | 'empty-file';
export type Fail = (code: FailureCode, message: string, hint: string) => StopReading;

export const CSV_HINTS: Hints = {
  save: 'Save the file as "CSV UTF-8" (in Excel: Save As → CSV UTF-8).',
  binary: 'Upload the return as CSV UTF-8 or JSON text.',
};
export const JSON_HINTS: Hints = {
  save: 'Save the JSON file as UTF-8 text: JSON is always UTF-8.',
  binary: 'Upload the return as CSV UTF-8 or JSON text.',
};

/** A decoder of one encoding, fed the bytes after any byte-order mark. */
export type ChunkDecoder = {
  /** Bytes of a byte-order mark to drop before the first `write`. */
  readonly skip: number;
  write(bytes: Uint8Array): Promise<string>;
  end(): Promise<string>;
};
