/** What the decoders of `encoding.ts` share: how they stop, fail and hint. */
import type { ProblemId, ProblemParams } from '../problems.ts';

/** Thrown once the text cannot be read further; the reason is already reported. */
export class StopReading extends Error {
  constructor() {
    super('stop reading');
    this.name = 'StopReadingError';
  }
}

/** The reasons decoding stops: message ids of these codes. */
export type FailureId = ProblemId &
  (`not-utf8${string}` | `unsupported-format${string}` | `file-too-large${string}` | `empty-file${string}`);
/**
 * Reports why the text cannot be read, and returns what to throw. The `format` parameter of the
 * hints (what to save the file as) is the decoder's to add.
 */
export type Fail = <I extends FailureId>(id: I, params: Omit<ProblemParams<I>, 'format'>) => StopReading;

/** Which format's advice a hint gives (`{format}` in the not-utf8 hints): what the file should be saved as. */
export type TextFormat = 'csv' | 'json';

/** A decoder of one encoding, fed the bytes after any byte-order mark. */
export type ChunkDecoder = {
  /** Bytes of a byte-order mark to drop before the first `write`. */
  readonly skip: number;
  write(bytes: Uint8Array): Promise<string>;
  end(): Promise<string>;
};
