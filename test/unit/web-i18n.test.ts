import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SUPPORTED_LOCALES } from '../../shared/i18n/locale.ts';
import { isMessageKey, loadLocales, type MessageKey, renderMessage } from '../../shared/i18n/render.ts';
import { formatCount, formatFigure, setPageFormat } from '../../web/src/format.ts';
import {
  chooseLocale,
  LANGUAGE_NAMES,
  metricText,
  operationTitle,
  unitText,
  useOperationTexts,
} from '../../web/src/i18n.ts';
import { liberterraIII } from '../support/builders.ts';

await loadLocales(SUPPORTED_LOCALES);

describe("the dashboard's language", () => {
  it('keeps the language chosen in this browser', () => {
    expect(chooseLocale('ar', ['fr-FR', 'en'])).toBe('ar');
  });

  it('starts from the browser’s languages when none was chosen, or the stored one is not supported', () => {
    expect(chooseLocale(null, ['de-DE', 'es-419', 'en'])).toBe('es');
    expect(chooseLocale('de', ['fr-CA'])).toBe('fr');
    expect(chooseLocale(null, ['de-DE'])).toBe('en');
  });

  it('names every language in its own language in the menu', () => {
    expect(Object.keys(LANGUAGE_NAMES)).toEqual([...SUPPORTED_LOCALES]);
    expect(LANGUAGE_NAMES.ar).toBe('العربية');
  });

  it('shows the operation’s own texts, falling back to the API’s before the definition is known', () => {
    useOperationTexts(null);
    expect(metricText('arrests', 'Arrests')).toBe('Arrests');
    useOperationTexts(liberterraIII());
    // The page's language is English until startLanguage runs in a browser.
    expect(operationTitle('x')).toBe(liberterraIII().name);
    expect(metricText('arrests', 'x')).toBe('Arrests');
    expect(unitText('arrests', 'x')).toBe('persons');
    expect(metricText('no-such-metric', 'fallback')).toBe('fallback');
  });
});

describe('figures on the page in another language', () => {
  it('keeps 0 and “not reported” distinct, with the words in the page’s language and Latin digits', () => {
    setPageFormat('ar-u-nu-latn', renderMessage('web.not-reported', {}, 'ar'));
    expect(formatFigure(0)).toEqual({ text: '0', state: 'zero', label: '0' });
    expect(formatFigure(null)).toEqual({ text: '—', state: 'missing', label: 'لم يُبلَّغ' });
    expect(formatCount(1400)).toMatch(/^1[,٬]400$/u);
    setPageFormat('fr', renderMessage('web.not-reported', {}, 'fr'));
    expect(formatCount(1400)).toMatch(/^1\s400$/u);
    expect(formatFigure(null).label).toBe('non déclaré');
  });
});

describe('the page’s static texts', () => {
  const html = readFileSync(new URL('../../web/index.html', import.meta.url), 'utf8');
  const marked = [...html.matchAll(/data-i18n="([^"]+)"[^>]*>([^<]*)</g)].map((m) => ({
    key: m[1] ?? '',
    text: (m[2] ?? '').trim(),
  }));

  it('name catalogue keys, and the English catalogue says what the page says before any script runs', () => {
    expect(marked.length).toBeGreaterThan(80);
    expect(marked.filter((m) => !isMessageKey(m.key))).toEqual([]);
    expect(marked.filter((m) => renderMessage(m.key as MessageKey, {}, 'en') !== m.text)).toEqual([]);
  });

  it('are translated in every language', () => {
    for (const locale of ['fr', 'es', 'ar'] as const) {
      const same = marked.filter(
        (m) =>
          renderMessage(m.key as MessageKey, {}, locale) === m.text &&
          !/^(SHA-256|Code|Total|Version|Europe|Asia|Verdict)$/.test(m.text),
      );
      expect(
        same.map((m) => m.key),
        locale,
      ).toEqual([]);
    }
  });
});
