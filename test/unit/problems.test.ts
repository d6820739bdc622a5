import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROBLEM_CODES, problem, truncate } from '../../shared/domain/problems.ts';

describe('problem', () => {
  it('takes its severity from its code', () => {
    expect(problem('bad-value', { row: 2 }, 'm', 'h').severity).toBe('error');
    expect(problem('total-decreased', {}, 'm', 'h').severity).toBe('warning');
  });

  it('records a missing place as null', () => {
    expect(problem('empty-file', {}, 'The file is empty.', 'Upload it again.')).toEqual({
      severity: 'error',
      code: 'empty-file',
      row: null,
      column: null,
      value: null,
      message: 'The file is empty.',
      hint: 'Upload it again.',
    });
  });

  it('records a problem made from a message id as data, with its English text', () => {
    expect(problem('not-utf8.utf32', {}, { format: 'csv' })).toEqual({
      severity: 'error',
      code: 'not-utf8',
      row: null,
      column: null,
      value: null,
      variant: 'utf32',
      params: { format: 'csv' },
      message: 'The file is encoded as UTF-32.',
      hint: 'Save the file as "CSV UTF-8" (in Excel: Save As → CSV UTF-8).',
    });
  });

  it('takes a rule warning’s text from the rule’s error, with the warning’s severity', () => {
    const params = {
      rule: 'r1',
      metric: 'a',
      date: '2025-11-10',
      value: 3,
      bound: 'b',
      boundValue: 2,
      boundRow: 4,
    };

    const warning = problem('rule-warning.exceeds', { row: 5 }, params);

    expect(warning.severity).toBe('warning');
    expect(warning.message).toBe(problem('rule-violation.exceeds', { row: 5 }, params).message);
  });

  it('refuses a code that does not exist', () => {
    expect(() => problem('no-such-code' as 'no-rows', {}, {})).toThrow(TypeError);
  });

  it('does not compile with a parameter the catalogue does not name', () => {
    // @ts-expect-error: the catalogue names `value`; `valu` would leave the sentence without it.
    const p = problem('bad-value.negative', { row: 2 }, { valu: '-1' });

    expect(p.message).toBe('undefined is negative.');
  });

  it('keeps a value of 0 and an empty value, as text', () => {
    expect(problem('bad-value', { value: 0 }, 'm', 'h').value).toBe('0');
    expect(problem('bad-value', { value: '' }, 'm', 'h').value).toBe('');
  });

  it('cuts a long value short, saying how long it was', () => {
    const p = problem('cell-too-long', { value: 'x'.repeat(10_000) }, 'm', 'h');

    expect(p.value).toBe(`${'x'.repeat(80)}… (10000 characters)`);
  });

  it('cuts a long column short, and the same text wherever the message or hint repeats it', () => {
    const key = 'k'.repeat(10_000);

    const p = problem(
      'unknown-column',
      { column: key },
      `The field "${key}" is unknown.`,
      `Delete "${key}".`,
    );

    const cut = `${'k'.repeat(80)}… (10000 characters)`;
    expect(p.column).toBe(cut);
    expect(p.message).toBe(`The field "${cut}" is unknown.`);
    expect(p.hint).toBe(`Delete "${cut}".`);
  });

  it('bounds a message and a hint whatever they quote', () => {
    const long = 'm'.repeat(10_000);

    const p = problem('json-shape', { value: { long } }, `Not a return: ${long}`, `Hint: ${long}`);

    expect(p.message.length).toBeLessThanOrEqual(1_100);
    expect(p.hint.length).toBeLessThanOrEqual(1_100);
    expect(p.message.startsWith('Not a return: mmm')).toBe(true);
  });
});

describe('truncate', () => {
  it('leaves a value of the maximum length as it is', () => {
    expect(truncate('abc', 3)).toBe('abc');
  });

  it('cuts a longer value at the maximum length', () => {
    expect(truncate('abcd', 3)).toBe('abc… (4 characters)');
  });
});

describe('PROBLEM_CODES', () => {
  it('makes only total-decreased, rule-warning, encoding-converted and empty-cells-ignored warnings', () => {
    const warnings = Object.entries(PROBLEM_CODES)
      .filter(([, severity]) => severity === 'warning')
      .map(([code]) => code);

    expect(warnings).toEqual([
      'total-decreased',
      'rule-warning',
      'encoding-converted',
      'empty-cells-ignored',
    ]);
  });
});

describe('the README', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  it.each(Object.entries(PROBLEM_CODES))('documents the code %s as %s in its table', (code, severity) => {
    expect(readme).toMatch(new RegExp(`^\\|\\s*\`${code}\`\\s*\\|\\s*${severity}\\s*\\|`, 'm'));
  });
});
