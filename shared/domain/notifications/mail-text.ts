import { intlLocale, isLocale, type Locale } from '../../i18n/locale.ts';
import { formatDate, formatFigure, type MessageKey, type Params, renderMessage } from '../../i18n/render.ts';
import type { MailLanguage, Participant } from '../operation.ts';
import { participantName } from '../operation-texts.ts';

/** Where the mails' links point: the dashboard's address, when the deployment knows it. */
export type MailLinks = { dashboardUrl?: string | undefined };

/** The locale of a mail: the address's language, else its participant's, else English. */
export function mailLocale(...preferences: (MailLanguage | undefined)[]): Locale {
  return preferences.find((l): l is Locale => isLocale(l)) ?? 'en';
}

/** Renders catalogue messages in one locale (which must be loaded: see `loadLocale`). */
export type Say = (key: MessageKey, params?: Params) => string;

/** A renderer for `locale`. */
export function sayIn(locale: Locale): Say {
  return (key, params = {}) => renderMessage(key, params, locale);
}

/** An instant as the mails write it: "12 November 2025, 18:00 UTC" (the date in `locale`). */
export function formatInstant(iso: string, locale: Locale): string {
  const t = new Date(iso).toISOString();
  return `${formatDate(t.slice(0, 10), locale)}${locale === 'ar' ? '، ' : ', '}${t.slice(11, 16)} UTC`;
}

/** A percentage of 0–100 in `locale` ("73.1%", "73,1 %"). */
export function formatPercent(percent: number, locale: Locale): string {
  return new Intl.NumberFormat(intlLocale(locale), { style: 'percent', maximumFractionDigits: 1 }).format(
    percent / 100,
  );
}

/** A change of a figure: "+56", "-3", or the catalogue's "unchanged". */
export function formatChange(change: number, say: Say, locale: Locale): string {
  if (change === 0) return say('mail.digest.unchanged');
  return `${change > 0 ? '+' : ''}${formatFigure(change, locale)}`;
}

/** Countries as a list in `locale`, sorted by their names there: "Brazil (BR), Kenya (KE)". */
export function countryList(
  participants: readonly Pick<Participant, 'code' | 'name'>[],
  locale: Locale,
): string {
  const collator = new Intl.Collator(intlLocale(locale));
  const names = participants
    .map((p) => `${participantName(p, locale)} (${p.code})`)
    .sort((a, b) => collator.compare(a, b));
  return new Intl.ListFormat(intlLocale(locale), { type: 'unit', style: 'short' }).format(names);
}

/** The dashboard's page of one country (`#/countries/{cc}`). */
export function countryPage(dashboardUrl: string, country: string): string {
  const base = dashboardUrl.replace(/#.*$/, '');
  return `${base.endsWith('/') ? base : `${base}/`}#/countries/${country}`;
}
