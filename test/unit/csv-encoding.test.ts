import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StopReading } from '../../shared/domain/csv/decoding.ts';
import { decodeText } from '../../shared/domain/csv/encoding.ts';
import type { Problem } from '../../shared/domain/problems.ts';

// decodeText on its own: whatever the chunking, the text comes out whole and exactly once.

/** Decodes `bytes` cut at the given sizes (cycled); the text, the problems, and whether it stopped. */
async function decode(
  bytes: Uint8Array,
  sizes: readonly number[],
): Promise<{ text: string; problems: Problem[]; stopped: boolean }> {
  const problems: Problem[] = [];
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (let at = 0, i = 0; at < bytes.length; i++) {
      const size = sizes[i % sizes.length] ?? 1;
      yield bytes.slice(at, at + size);
      at += size;
    }
  }
  let text = '';
  try {
    for await (const part of decodeText(chunks(), {
      maxBytes: 1 << 20,
      convert: true,
      report: (p) => problems.push(p),
    }))
      text += part;
  } catch (e) {
    if (!(e instanceof StopReading)) throw e;
    return { text, problems, stopped: true };
  }
  return { text, problems, stopped: false };
}

const chunkSizes = fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 6 });
/** Characters a text return may hold: no NUL or other control character. */
const textChar = fc.oneof(
  fc.constantFrom('\n', '\r', '\t', ',', ';', '"'),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }).filter((c) => !/[\p{Cc}\ufeff]/u.test(c)),
);
/** Characters of Windows-1252 that are not ASCII (0x81, 0x8D, 0x8F, 0x90 and 0x9D are undefined). */
const WINDOWS_1252_HIGH = [
  ...'€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ',
  ...Array.from({ length: 0x60 }, (_, i) => String.fromCharCode(0xa0 + i)),
];
const BYTE_OF = new Map(
  [
    0x80, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8e, 0x91, 0x92, 0x93, 0x94,
    0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9e, 0x9f,
  ]
    .map((b, i) => [WINDOWS_1252_HIGH[i] as string, b] as const)
    .concat(WINDOWS_1252_HIGH.slice(27).map((c) => [c, c.charCodeAt(0)] as const)),
);
const windows1252 = (text: string): Uint8Array =>
  Uint8Array.from([...text].map((c) => BYTE_OF.get(c) ?? c.charCodeAt(0)));

describe('decodeText', () => {
  it('gives back any UTF-8 text whole, however it is cut, without a word', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(textChar, { maxLength: 40 }), chunkSizes, async (chars, sizes) => {
        const text = `date${chars.join('')}`;

        const out = await decode(new TextEncoder().encode(text), sizes);

        expect(out).toEqual({ text, problems: [], stopped: false });
      }),
    );
  });

  it('reads text that turns out not to be UTF-8 as Windows-1252, whole, with one warning', async () => {
    const ascii = fc.string({ unit: 'grapheme-ascii', maxLength: 20 });
    const high = fc.constantFrom(...WINDOWS_1252_HIGH);
    const any1252 = fc.array(fc.oneof(high, fc.constantFrom('a', ' ', ',', '\n', '1')), { maxLength: 30 });
    await fc.assert(
      fc.asyncProperty(ascii, high, any1252, chunkSizes, async (before, first, after, sizes) => {
        // A high character followed by a letter is never UTF-8: a lead byte needs a continuation byte.
        const text = `date${before}${first}x${after.join('')}`;

        const out = await decode(windows1252(text), sizes);

        expect(out.stopped).toBe(false);
        expect(out.text).toBe(text);
        expect(out.problems.map((p) => [p.code, p.value])).toEqual([['encoding-converted', 'windows-1252']]);
      }),
    );
  });

  it('gives back UTF-16 whole, however it is cut, with one warning', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(textChar, { maxLength: 40 }),
        fc.boolean(),
        chunkSizes,
        async (chars, le, sizes) => {
          const text = `date${chars.join('')}`;
          const units = Buffer.from(text, 'utf16le');
          const bytes = Buffer.concat([
            Buffer.from(le ? [0xff, 0xfe] : [0xfe, 0xff]),
            le ? units : units.swap16(),
          ]);

          const out = await decode(bytes, sizes);

          expect(out.stopped).toBe(false);
          expect(out.text).toBe(text);
          expect(out.problems.map((p) => p.value)).toEqual([le ? 'utf-16le' : 'utf-16be']);
        },
      ),
    );
  });
});

describe('Windows-1252 beyond ISO-8859-1', () => {
  it('reads 0x80–0x9F as Windows-1252 characters (€, ’, Œ…), not as C1 controls', async () => {
    // "Coût €,’,Œ" in Windows-1252: 0xFB û, 0x80 €, 0x92 ’, 0x8C Œ.
    const bytes = Uint8Array.from([0x43, 0x6f, 0xfb, 0x74, 0x20, 0x80, 0x2c, 0x92, 0x2c, 0x8c, 0x0a]);

    const { text, problems, stopped } = await decode(bytes, [3]);

    expect(stopped).toBe(false);
    expect(text).toBe('Coût €,’,Œ\n');
    expect(problems.map((p) => p.code)).toEqual(['encoding-converted']);
  });
});
