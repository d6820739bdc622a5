import type { CatalogueLocale } from './catalogues.generated.ts';

/** The languages reports, templates and operation texts are written in; English is the fallback. */
export const SUPPORTED_LOCALES = ['en', 'fr', 'es', 'ar'] as const satisfies readonly CatalogueLocale[];
export type Locale = (typeof SUPPORTED_LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

/** True for a supported locale code, exactly as `SUPPORTED_LOCALES` writes it. */
export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (SUPPORTED_LOCALES as readonly string[]).includes(value);
}

/**
 * The BCP 47 tag to give `Intl` for `locale`. English is British English: day before month
 * ("10 November 2025"), as most participants write dates. Arabic figures are written in Latin
 * digits (`ar-u-nu-latn`): engines disagree on the default (Arabic-Indic in some), and a figure must
 * read the same as in the agency's spreadsheet, the CSV file and the other languages' reports.
 */
export function intlLocale(locale: Locale): string {
  return locale === 'ar' ? 'ar-u-nu-latn' : locale === 'en' ? 'en-GB' : locale;
}

/** The writing direction of `locale`, for the `dir` attribute of a page or a sheet's right-to-left view. */
export function direction(locale: Locale): 'ltr' | 'rtl' {
  return locale === 'ar' ? 'rtl' : 'ltr';
}

/**
 * The supported locale that best matches what a client asks for: an `Accept-Language` header
 * (`fr-CH, fr;q=0.9, en;q=0.8`), a list of tags in order of preference (`navigator.languages`, a
 * `--lang` option), or nothing. Tags are matched on their language (`es-419` → `es`), by quality
 * then order; `*`, unknown languages and `q=0` never match. Falls back to English.
 *
 * @example negotiateLocale('ar-EG,ar;q=0.9,en;q=0.5') // 'ar'
 * @example negotiateLocale(['de-DE', 'fr']) // 'fr'
 */
export function negotiateLocale(wanted: string | readonly string[] | null | undefined): Locale {
  const ranges =
    typeof wanted === 'string' ? parseAcceptLanguage(wanted) : (wanted ?? []).map((tag) => ({ tag, q: 1 }));
  const ordered = ranges
    .map((r, i) => ({ ...r, i }))
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { tag } of ordered) {
    const language = tag.trim().toLowerCase().split(/[-_]/)[0];
    if (isLocale(language)) return language;
  }
  return DEFAULT_LOCALE;
}

function parseAcceptLanguage(header: string): { tag: string; q: number }[] {
  // Bounded: a header is short, and a hostile one must not cost more than its first entries.
  return header
    .slice(0, 1_000)
    .split(',')
    .slice(0, 50)
    .map((part) => {
      const [tag = '', ...params] = part.split(';');
      // A q that is not a number counts as q=0: the client said something, and it is not "yes".
      const q = params.map((p) => /^\s*q\s*=(.*)$/i.exec(p)?.[1]).find((v) => v !== undefined);
      const quality = q === undefined ? 1 : /^\s*[0-9.]+\s*$/.test(q) ? Number(q) : 0;
      return { tag: tag.trim(), q: Number.isFinite(quality) ? quality : 0 };
    })
    .filter((r) => r.tag !== '');
}
