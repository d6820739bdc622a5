import type JSZip from 'jszip';
import { type Problem, truncate } from '../problems.ts';
import { assert, err, ok, type Result } from '../result.ts';
import { unsupported, zipBomb } from './xlsx-problems.ts';

// ---------------------------------------------------------------------------------------------
// The ZIP archive: signatures, what its central directory declares, inflation bounded by it

/** How a ZIP archive starts: a local file header, or (an empty archive) the end record. */
export const ZIP_SIGNATURES = [Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from([0x50, 0x4b, 0x05, 0x06])];
/** OLE compound file: how Excel stores an encrypted .xlsx, and how old .xls workbooks look. */
const CFB_SIGNATURE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

/** Why the bytes are not a ZIP archive, told in the agency's terms. */
export function notAZip(bytes: Buffer): Problem {
  if (bytes.subarray(0, CFB_SIGNATURE.length).equals(CFB_SIGNATURE)) {
    return unsupported('unsupported-format.encrypted-or-xls', {});
  }
  if (looksLikeText(bytes)) {
    return unsupported('unsupported-format.text-as-xlsx', {});
  }
  return unsupported('unsupported-format.not-zip', {});
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
export function declaredEntryCount(bytes: Buffer): number | null {
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

type Sizes = { compressedSize: number; uncompressedSize: number };

/**
 * The sizes the central directory declares for an entry. jszip keeps them on a private field (its
 * index.d.ts documents it as `CompressedObject`); it is read, never written.
 */
export function sizesOf(entry: JSZip.JSZipObject): Sizes {
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
export function inflate(entry: JSZip.JSZipObject): Promise<Result<Buffer, Problem>> {
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
        resolve(err(zipBomb('zip-bomb.beyond-declared', { part: truncate(entry.name, 60), declared })));
        return;
      }
      chunks.push(chunk);
    });
    stream.on('error', (e: unknown) => {
      const message = e instanceof Error ? e.message : String(e);
      resolve(
        err(
          unsupported('unsupported-format.damaged-part', {
            part: truncate(entry.name, 60),
            detail: truncate(message, 80),
          }),
        ),
      );
    });
    stream.on('end', () => resolve(ok(Buffer.concat(chunks, total))));
  });
}
