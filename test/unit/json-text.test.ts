import { describe, expect, it } from 'vitest';
import { duplicateKeys, nestedDeeperAt } from '../../shared/domain/json-text.ts';

describe('duplicateKeys', () => {
  it('finds nothing in an object whose keys differ', () => {
    expect(duplicateKeys('{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}')).toEqual([]);
  });

  it('gives the key, both values as written, and no row outside "rows"', () => {
    expect(duplicateKeys('{"a": {"x": [1, 2]} , "a" : "two"}')).toEqual([
      { key: 'a', row: null, first: '{"x": [1, 2]}', again: '"two"' },
    ]);
  });

  it('places a repetition deep inside a row in that row', () => {
    const text = '{"rows":[{"value":1},{"value":{"n":1,"n":2}}]}';

    expect(duplicateKeys(text)).toEqual([{ key: 'n', row: 2, first: '1', again: '2' }]);
  });

  it('compares keys as JSON reads them, escapes and quotes included', () => {
    expect(duplicateKeys('{"a\\"b":1,"a\\u0022b":2}')).toEqual([
      { key: 'a"b', row: null, first: '1', again: '2' },
    ]);
  });

  it('ignores brackets, colons and commas inside strings', () => {
    expect(duplicateKeys('{"a":"{\\"a\\":1,","b":"]:,}"}')).toEqual([]);
  });
});

describe('nestedDeeperAt', () => {
  it('gives the position of the first bracket beyond the limit', () => {
    expect(nestedDeeperAt('[[[]]]', 2)).toBe(2);
  });

  it('gives -1 for text within the limit, brackets inside strings not counted', () => {
    expect(nestedDeeperAt('[["[[[["]]', 2)).toBe(-1);
  });
});
