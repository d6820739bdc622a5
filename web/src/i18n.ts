/**
 * The page's language: chosen from the menu (remembered in this browser), else the browser's
 * languages, else English. The catalogues are the ones the API and the CLI use
 * (shared/i18n/messages); operation texts come from the definition (operation-texts).
 */

import type { Operation } from '../../shared/domain/operation.ts';
import { metricLabel, metricUnit, operationName } from '../../shared/domain/operation-texts.ts';
import {
  direction,
  intlLocale,
  isLocale,
  type Locale,
  negotiateLocale,
  SUPPORTED_LOCALES,
} from '../../shared/i18n/locale.ts';
import {
  loadLocale,
  type MessageKey,
  type Params,
  renderMessage,
  renderProblem,
} from '../../shared/i18n/render.ts';

/** Where the chosen language is remembered. */
export const LANGUAGE_STORAGE_KEY = 'optally.lang';

/** Each language named in its own language, for the menu. */
export const LANGUAGE_NAMES: Readonly<Record<Locale, string>> = {
  en: 'English',
  fr: 'Français',
  es: 'Español',
  ar: 'العربية',
};

let current: Locale = 'en';

/** The page's language (English until `startLanguage` ran). */
export function pageLocale(): Locale {
  return current;
}

/** The tag to give `Intl` for the page's language (Arabic with Latin digits). */
export function pageIntlLocale(): string {
  return intlLocale(current);
}

/** A message of the catalogues in the page's language. */
export function t(key: MessageKey, params: Params = {}): string {
  return renderMessage(key, params, current);
}

/**
 * The language to show: the one chosen before in this browser when it is supported, else the
 * best match for the browser's languages (`navigator.languages`), else English.
 */
export function chooseLocale(stored: string | null, languages: readonly string[]): Locale {
  return isLocale(stored) ? stored : negotiateLocale(languages);
}

/**
 * Loads the page's language and applies it: `<html lang dir>`, the title, every element marked
 * `data-i18n="key"` (its text) or `data-i18n-attr="attribute:key;…"`, and the language menu
 * (`#lang-select`), which remembers a new choice and reloads the page in it.
 */
export async function startLanguage(
  doc: Document,
  storage: Storage,
  languages: readonly string[],
): Promise<Locale> {
  current = chooseLocale(storage.getItem(LANGUAGE_STORAGE_KEY), languages);
  await loadLocale(current);
  doc.documentElement.lang = current;
  doc.documentElement.dir = direction(current);
  translateStatic(doc);
  doc.title = t('web.title');
  const select = doc.getElementById('lang-select') as HTMLSelectElement | null;
  if (select) {
    select.replaceChildren(
      ...SUPPORTED_LOCALES.map((l) => {
        const option = doc.createElement('option');
        option.value = l;
        option.lang = l;
        option.textContent = LANGUAGE_NAMES[l];
        return option;
      }),
    );
    select.value = current;
    select.addEventListener('change', () => {
      storage.setItem(LANGUAGE_STORAGE_KEY, select.value);
      // Every view renders in the new language from the start: the session survives (sessionStorage).
      doc.defaultView?.location.reload();
    });
  }
  return current;
}

/** Replaces the text of every `[data-i18n]` element, and the attributes `[data-i18n-attr]` names. */
export function translateStatic(root: ParentNode): void {
  for (const node of Array.from(root.querySelectorAll<HTMLElement>('[data-i18n]'))) {
    node.textContent = t(node.dataset.i18n as MessageKey);
  }
  for (const node of Array.from(root.querySelectorAll<HTMLElement>('[data-i18n-attr]'))) {
    for (const pair of (node.dataset.i18nAttr ?? '').split(';')) {
      const [attribute, key] = pair.split(':');
      if (attribute && key) node.setAttribute(attribute.trim(), t(key.trim() as MessageKey));
    }
  }
}

/** The operation on screen: its definition translates its own texts (name, metric labels, units). */
let operation: Pick<Operation, 'name' | 'names' | 'metrics'> | null = null;

/** Sets the operation whose texts the page shows (from `GET /operations/{op}`: the whole definition). */
export function useOperationTexts(definition: Pick<Operation, 'name' | 'names' | 'metrics'> | null): void {
  operation = definition;
}

/** The operation's name in the page's language; `fallback` (the API's English) before one is set. */
export function operationTitle(fallback: string): string {
  return operation ? operationName(operation, current) : fallback;
}

/** A metric's label in the page's language, as the definition translates it; else `fallback`. */
export function metricText(id: string, fallback: string): string {
  const metric = operation?.metrics.find((m) => m.id === id);
  return metric ? metricLabel(metric, current) : fallback;
}

/** A metric's unit in the page's language, as the definition translates it; else `fallback`. */
export function unitText(id: string, fallback: string): string {
  const metric = operation?.metrics.find((m) => m.id === id);
  return metric ? metricUnit(metric, current) : fallback;
}

/**
 * A problem of a report as the page shows it: its sentence and hint in the page's language from
 * its code and parameters, the operation's name as its definition translates it. Problems without
 * parameters (stored before messages became data) keep their stored English text.
 */
export function problemText(p: Parameters<typeof renderProblem>[0]): { message: string; hint: string } {
  return renderProblem(p, current, operation ?? undefined);
}

/**
 * Participants with their country names in the page's language (the runtime's CLDR names, as
 * `Intl.DisplayNames` knows them); English keeps the names the definition gives.
 */
export function localParticipants<P extends { code: string; name: string }>(participants: readonly P[]): P[] {
  if (current === 'en') return [...participants];
  const names = new Intl.DisplayNames([intlLocale(current)], { type: 'region' });
  return participants.map((p) => {
    try {
      return { ...p, name: names.of(p.code) ?? p.name };
    } catch {
      return p;
    }
  });
}
