import { describe, expect, it } from 'vitest';
import { formatOf, readReturn } from '../../shared/domain/read-return.ts';
import { SUPPORTED_LOCALES } from '../../shared/i18n/locale.ts';
import { loadLocales, renderProblem } from '../../shared/i18n/render.ts';
import { liberterraIII } from '../support/builders.ts';
import { hostileFixtures } from '../support/make-hostile.ts';

// Renders in every language: the catalogues are loaded once, as the edges load them.
await loadLocales(SUPPORTED_LOCALES);

// Every problem the hostile-input catalogue makes the checker report, with the parameters the
// checker really gives it (not samples), rendered in every language.

async function* chunks(bytes: Buffer): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += 64 * 1024) yield bytes.subarray(i, i + 64 * 1024);
}

describe('the hostile inputs’ problems in every language', () => {
  it('render completely, and translated, for every problem the checker reports', async () => {
    const faults: string[] = [];
    let rendered = 0;
    for (const c of hostileFixtures()) {
      const format = formatOf(c.file);
      if (!format) continue;
      const { report } = await readReturn(chunks(c.bytes()), format, {
        operation: liberterraIII(),
        country: c.country,
      });
      for (const p of report.problems) {
        expect(p.params, `${c.file}: ${p.code} carries parameters`).toBeDefined();
        const english = renderProblem(p, 'en');
        expect(english, `${c.file}: the English text is the one stored`).toEqual({
          message: p.message,
          hint: p.hint,
        });
        for (const locale of SUPPORTED_LOCALES) {
          const text = renderProblem(p, locale);
          for (const part of [text.message, text.hint]) {
            if (part.trim() === '' || /\{[A-Za-z][A-Za-z0-9]*\}|undefined|NaN/.test(part)) {
              faults.push(`${c.file} ${p.code} ${locale}: ${part}`);
            }
          }
          if (locale !== 'en' && text.message === english.message) {
            faults.push(`${c.file} ${p.code} ${locale}: not translated: ${text.message}`);
          }
          rendered++;
        }
      }
    }
    expect(faults).toEqual([]);
    expect(rendered).toBeGreaterThan(100 * SUPPORTED_LOCALES.length);
  });
});
