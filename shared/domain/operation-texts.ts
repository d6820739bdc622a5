import { intlLocale, type Locale } from '../i18n/locale.ts';
import type { Breakdown, Metric, Operation, Participant, Rule, Translations } from './operation.ts';

/**
 * The texts of an operation's definition in a reader's language: each falls back to the English
 * text when the definition does not translate it. Identifiers (metric ids, breakdown values,
 * country codes) never change: they are what returns write, in every language.
 */

/** `english` in `locale`, from `translations` when they have it. */
export function translated(english: string, translations: Translations | undefined, locale: Locale): string {
  return locale === 'en' ? english : (translations?.[locale] ?? english);
}

/** The operation's name in `locale`. */
export function operationName(op: Pick<Operation, 'name' | 'names'>, locale: Locale): string {
  return translated(op.name, op.names, locale);
}

/** The operation's description in `locale`, or undefined when it has none. */
export function operationDescription(
  op: Pick<Operation, 'description' | 'descriptions'>,
  locale: Locale,
): string | undefined {
  return op.description === undefined ? undefined : translated(op.description, op.descriptions, locale);
}

/** A metric's label in `locale` ("Arrests", "Arrestations"). */
export function metricLabel(metric: Pick<Metric, 'label' | 'labels'>, locale: Locale): string {
  return translated(metric.label, metric.labels, locale);
}

/** A metric's unit in `locale` ("persons", "personnes"). */
export function metricUnit(metric: Pick<Metric, 'unit' | 'units'>, locale: Locale): string {
  return translated(metric.unit, metric.units, locale);
}

/** What a metric's figure means in `locale`, or undefined when the definition gives no note. */
export function metricNote(metric: Pick<Metric, 'note' | 'notes'>, locale: Locale): string | undefined {
  return metric.note === undefined ? undefined : translated(metric.note, metric.notes, locale);
}

/** A breakdown dimension's label in `locale`, or its identifier when it has no label. */
export function breakdownLabel(b: Pick<Breakdown, 'dimension' | 'label' | 'labels'>, locale: Locale): string {
  return translated(b.label ?? b.dimension, b.labels, locale);
}

/** How a breakdown value reads in `locale`: its label, its English label, or its identifier. */
export function breakdownValueLabel(
  b: Pick<Breakdown, 'valueLabels'>,
  value: string,
  locale: Locale,
): string {
  const labels = b.valueLabels?.[value];
  return labels?.[locale] ?? labels?.en ?? value;
}

/** A rule's own description in `locale`, or undefined when the definition gives none. */
export function ruleDescription(
  rule: Pick<Rule, 'description' | 'descriptions'>,
  locale: Locale,
): string | undefined {
  return rule.description === undefined ? undefined : translated(rule.description, rule.descriptions, locale);
}

/**
 * A participant's name in `locale`: the country's name as the locale writes it (CLDR, through
 * `Intl.DisplayNames`), or the definition's name when the runtime does not know the code.
 */
export function participantName(p: Pick<Participant, 'code' | 'name'>, locale: Locale): string {
  if (locale === 'en') return p.name;
  try {
    const name = new Intl.DisplayNames([intlLocale(locale)], { type: 'region', fallback: 'none' }).of(p.code);
    return name ?? p.name;
  } catch {
    return p.name;
  }
}
