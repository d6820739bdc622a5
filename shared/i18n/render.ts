import type { Operation } from '../domain/operation.ts';
import { operationName } from '../domain/operation-texts.ts';
import type { Problem, ProblemCode } from '../domain/problems.ts';
import { CATALOGUE as ENGLISH } from './catalogue-en.generated.ts';
import { CATALOGUE_LOADERS, type Catalogue, type MessageKey, type Params } from './catalogues.generated.ts';
import { DATE_PARAMS } from './date-params.ts';
import { DEFAULT_LOCALE, intlLocale, type Locale } from './locale.ts';

export type { MessageKey, MessageParams, Params } from './catalogues.generated.ts';
export { DATE_PARAMS } from './date-params.ts';

/**
 * The catalogues loaded so far. English is always there: problems keep their English text, made
 * when they are made. The others are loaded on demand (`loadLocale`), each a chunk of its own in
 * the Lambda bundles, so a cold start reads one language, not four.
 */
const loaded: Partial<Record<Locale, Catalogue>> = { en: ENGLISH };

/**
 * Makes `locale` renderable: afterwards `renderMessage`, `renderProblem`, `renderTextReport` and
 * the rest render in it synchronously. Call it at the edge (API request, CLI, page) once the
 * locale is known; it is cheap when the locale is already loaded.
 */
export async function loadLocale(locale: Locale): Promise<void> {
  loaded[locale] ??= await CATALOGUE_LOADERS[locale]();
}

/** Loads several locales at once (see `loadLocale`). */
export async function loadLocales(locales: readonly Locale[]): Promise<void> {
  await Promise.all(locales.map(loadLocale));
}

/** True when `locale` can be rendered synchronously now. */
export function isLocaleLoaded(locale: Locale): boolean {
  return loaded[locale] !== undefined;
}

/**
 * The message `key` in `locale`, with `params` filled in; English when the locale's catalogue lacks
 * it (the catalogue tests make that never happen). Numbers are formatted by the locale, Arabic in
 * Latin digits (see `intlLocale`). Throws `LocaleNotLoadedError` when `locale` was not loaded
 * first (`loadLocale`): a bug at the edge, which must load it before rendering.
 */
export function renderMessage(key: MessageKey, params: Params = {}, locale: Locale = DEFAULT_LOCALE): string {
  const catalogue = loaded[locale];
  if (!catalogue) throw new LocaleNotLoadedError(locale);
  const format = catalogue[key] ?? ENGLISH[key];
  if (!format) throw new MissingMessageError(key);
  return format(withDates(params, locale));
}

/** True when `key` is a message of the catalogues. */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(ENGLISH, key);
}

/** Thrown when rendering in a locale whose catalogue was not loaded: call `loadLocale` first. */
export class LocaleNotLoadedError extends Error {
  constructor(locale: string) {
    super(`The "${locale}" catalogue is not loaded: await loadLocale('${locale}') before rendering in it.`);
    this.name = 'LocaleNotLoadedError';
  }
}

/** Thrown for a message key no catalogue has: a bug, as keys are typed. */
export class MissingMessageError extends Error {
  constructor(key: string) {
    super(`No message "${key}" in the catalogues.`);
    this.name = 'MissingMessageError';
  }
}

/**
 * Codes that share another code's messages: a rule's warning says what its error would say.
 */
const MESSAGES_OF: Partial<Record<ProblemCode, ProblemCode>> = { 'rule-warning': 'rule-violation' };

/**
 * The catalogue key of a problem's message (`….message`) and hint (`….hint`):
 * `problem.{code}` or `problem.{code}.{variant}`.
 */
export function problemMessageKeys(
  code: ProblemCode,
  variant?: string | null,
): { message: string; hint: string } {
  const base = `problem.${MESSAGES_OF[code] ?? code}${variant ? `.${variant}` : ''}`;
  return { message: `${base}.message`, hint: `${base}.hint` };
}

/** The longest message or hint: well above any we write, far below what a hostile file could make. */
export const MAX_TEXT_CHARS = 1_000;

/**
 * A problem's sentence and hint in `locale`, rendered from its code, variant and parameters. Given
 * the `operation` the problem is about, its name reads as the definition translates it (problems
 * record the English name). A problem stored before messages became data (no `params`), or made by
 * code that still passes its own English text, renders as the text it carries, in every locale.
 */
export function renderProblem(
  p: Pick<Problem, 'code' | 'message' | 'hint'> & { variant?: string | null; params?: Params | null },
  locale: Locale = DEFAULT_LOCALE,
  operation?: Pick<Operation, 'name' | 'names'>,
): { message: string; hint: string } {
  const keys = problemMessageKeys(p.code, p.variant);
  if (!p.params || !isMessageKey(keys.message) || !isMessageKey(keys.hint)) {
    return { message: p.message, hint: p.hint };
  }
  const params = cutTextsIn(
    operation && p.params.operation === operation.name
      ? { ...p.params, operation: operationName(operation, locale) }
      : p.params,
    locale,
  );
  return {
    message: bound(renderMessage(keys.message, params, locale), locale),
    hint: bound(renderMessage(keys.hint, params, locale), locale),
  };
}

const bound = (text: string, locale: Locale): string =>
  text.length <= MAX_TEXT_CHARS
    ? text
    : `${text.slice(0, MAX_TEXT_CHARS)}… (${cutLength(text.length, locale)})`;

/**
 * The mark a text cut short ends with, as `truncate` (shared/domain/problems.ts) writes it into a
 * problem's column, value and parameters when the problem is made: "… (130 characters)".
 */
const CUT_MARK = /… \((\d+) characters\)$/;

/** "130 characters" in `locale`. */
const cutLength = (count: number, locale: Locale): string => renderMessage('report.cut', { count }, locale);

/**
 * A text of the file echoed in a report, its cut-short mark ("… (130 characters)", written in
 * English when the problem was made) said in `locale`; any other text as it is.
 */
export function localizeCut(text: string, locale: Locale): string {
  const mark = locale === DEFAULT_LOCALE ? null : CUT_MARK.exec(text);
  return mark ? `${text.slice(0, mark.index)}… (${cutLength(Number(mark[1]), locale)})` : text;
}

function cutTextsIn(params: Params, locale: Locale): Params {
  if (locale === DEFAULT_LOCALE) return params;
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? localizeCut(v, locale) : v]),
  );
}

/**
 * A figure as a report shows it: the number in the locale's digits and grouping, or "—" when the
 * figure was not reported. A reported 0 is "0" in every language, never the dash.
 */
export function formatFigure(value: number | null | undefined, locale: Locale = DEFAULT_LOCALE): string {
  if (value === null || value === undefined) return renderMessage('figure.not-reported', {}, locale);
  return new Intl.NumberFormat(intlLocale(locale), { maximumFractionDigits: 0 }).format(value);
}

/** A `YYYY-MM-DD` date spelled out in `locale` ("10 November 2025"), whatever the time zone. */
export function formatDate(isoDate: string, locale: Locale = DEFAULT_LOCALE): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m) return isoDate;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== isoDate) return isoDate;
  return new Intl.DateTimeFormat(intlLocale(locale), { dateStyle: 'long', timeZone: 'UTC' }).format(date);
}

function withDates(params: Params, locale: Locale): Params {
  let out: Record<string, string | number> | undefined;
  for (const name of DATE_PARAMS) {
    const v = params[name];
    if (typeof v !== 'string') continue;
    out ??= { ...params };
    out[`${name}Date`] = formatDate(v, locale);
  }
  return out ?? params;
}
