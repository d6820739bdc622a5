import { describe, expect, it } from 'vitest';
import { parseOperation } from '../../shared/domain/operation-schema.ts';
import {
  breakdownLabel,
  breakdownValueLabel,
  metricLabel,
  metricNote,
  metricUnit,
  operationDescription,
  operationName,
  participantName,
  ruleDescription,
} from '../../shared/domain/operation-texts.ts';
import { SUPPORTED_LOCALES } from '../../shared/i18n/locale.ts';
import { loadLocales } from '../../shared/i18n/render.ts';
import { anOperation, anOperationDefinition, liberterraIII } from '../support/builders.ts';

// Renders in every language: the catalogues are loaded once, as the edges load them.
await loadLocales(SUPPORTED_LOCALES);

describe("an operation's texts in the reader's language", () => {
  it('reads a translated metric label, and English where the definition gives none', () => {
    const op = anOperation();
    const metric = { ...op.metrics[0]!, label: 'Arrests', labels: { fr: 'Arrestations' } };

    expect(metricLabel(metric, 'fr')).toBe('Arrestations');
    expect(metricLabel(metric, 'es')).toBe('Arrests');
    expect(metricLabel(metric, 'en')).toBe('Arrests');
  });

  it('reads a breakdown value as its label, its English label, or its identifier', () => {
    const b = {
      dimension: 'sex',
      values: ['female', 'male', 'unknown'],
      valueLabels: { female: { en: 'Female', fr: 'Femmes' }, male: { en: 'Male' } },
    };

    expect(breakdownValueLabel(b, 'female', 'fr')).toBe('Femmes');
    expect(breakdownValueLabel(b, 'male', 'fr')).toBe('Male');
    expect(breakdownValueLabel(b, 'unknown', 'fr')).toBe('unknown');
    expect(breakdownLabel(b, 'ar')).toBe('sex');
  });

  it('names a participant as the reader’s language writes its country', () => {
    expect(participantName({ code: 'DE', name: 'Germany' }, 'fr')).toBe('Allemagne');
    expect(participantName({ code: 'DE', name: 'Germany' }, 'en')).toBe('Germany');
    expect(participantName({ code: 'XK', name: 'Kosovo' }, 'es')).toBe('Kosovo');
  });

  it.each(SUPPORTED_LOCALES)('gives Liberterra III every text in %s', (locale) => {
    const op = liberterraIII();
    const texts = [
      operationName(op, locale),
      operationDescription(op, locale),
      ...op.metrics.flatMap((m) => [metricLabel(m, locale), metricUnit(m, locale), metricNote(m, locale)]),
      ...op.metrics.flatMap((m) =>
        m.breakdowns.flatMap((b) => [
          breakdownLabel(b, locale),
          ...b.values.map((v) => breakdownValueLabel(b, v, locale)),
        ]),
      ),
      ...op.rules.map((r) => ruleDescription(r, locale)),
    ];
    for (const text of texts) expect(text?.trim()).toBeTruthy();
    if (locale !== 'en') {
      // Translated, not the English fallback (units such as "agents" may be spelled alike).
      expect(operationName(op, locale)).not.toBe(op.name);
      for (const m of op.metrics) expect(metricLabel(m, locale)).not.toBe(m.label);
      for (const m of op.metrics) expect(metricNote(m, locale)).not.toBe(m.note);
      for (const r of op.rules) expect(ruleDescription(r, locale)).not.toBe(r.description);
      for (const b of op.metrics.flatMap((m) => m.breakdowns)) {
        for (const v of b.values)
          expect(breakdownValueLabel(b, v, locale)).not.toBe(breakdownValueLabel(b, v, 'en'));
      }
    }
  });
});

describe('translations in a definition file', () => {
  it('keeps a definition without translations valid', () => {
    expect(parseOperation(anOperationDefinition()).ok).toBe(true);
  });

  it('refuses a language the reports are not written in', () => {
    const definition = { ...anOperationDefinition(), names: { de: 'Operation' } };

    const parsed = parseOperation(definition);

    expect(parsed.ok).toBe(false);
  });

  it('refuses labels for a breakdown value the dimension does not have', () => {
    const definition = anOperationDefinition();
    const metrics = (definition.metrics as Record<string, unknown>[]).map((m, i) =>
      i === 0
        ? {
            ...m,
            breakdowns: [{ dimension: 'sex', values: ['female'], valueLabels: { male: { fr: 'Hommes' } } }],
          }
        : m,
    );

    const parsed = parseOperation({ ...definition, metrics });

    expect(parsed.ok ? [] : parsed.error).toEqual([
      'metrics.0.breakdowns.0.valueLabels.male: "male" is not one of the values of sex',
    ]);
  });
});
