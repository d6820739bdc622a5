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

  it('keeps a value of 0 and an empty value, as text', () => {
    expect(problem('bad-value', { value: 0 }, 'm', 'h').value).toBe('0');
    expect(problem('bad-value', { value: '' }, 'm', 'h').value).toBe('');
  });

  it('cuts a long value short, saying how long it was', () => {
    const p = problem('cell-too-long', { value: 'x'.repeat(10_000) }, 'm', 'h');

    expect(p.value).toBe(`${'x'.repeat(80)}… (10000 characters)`);
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
  it('makes only total-decreased and rule-warning warnings', () => {
    const warnings = Object.entries(PROBLEM_CODES)
      .filter(([, severity]) => severity === 'warning')
      .map(([code]) => code);

    expect(warnings).toEqual(['total-decreased', 'rule-warning']);
  });
});

describe('the README', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  it.each(Object.entries(PROBLEM_CODES))('documents the code %s as %s in its table', (code, severity) => {
    expect(readme).toMatch(new RegExp(`^\\|\\s*\`${code}\`\\s*\\|\\s*${severity}\\s*\\|`, 'm'));
  });
});
