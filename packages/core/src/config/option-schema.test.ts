import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InvalidConfigError } from '../spec/errors.js';
import { checkOptions, optionOf } from './option-schema.js';

const count = optionOf<number>(
  (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1,
  'must be a whole number of at least 1',
);
const schema = z.object({ size: count, name: count, list: z.array(count).optional() });

describe('checkOptions', () => {
  it('passes valid and absent options', () => {
    expect(() => checkOptions('test options', schema, {})).not.toThrow();
    expect(() => checkOptions('test options', schema, { size: 2, list: [1] })).not.toThrow();
  });

  it('names every problem with its path, the rule and what was given, then the extra issues', () => {
    let error: unknown;
    try {
      checkOptions('test options', schema, { size: 0, name: 'x', list: [1, () => 1] }, [
        { path: 'size', message: 'conflicts with name' },
      ]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).message).toContain('Invalid test options');
    expect((error as InvalidConfigError).issues).toEqual([
      { path: 'size', message: 'must be a whole number of at least 1, got 0' },
      { path: 'name', message: 'must be a whole number of at least 1, got "x"' },
      { path: 'list[1]', message: 'must be a whole number of at least 1, got a function' },
      { path: 'size', message: 'conflicts with name' },
    ]);
  });
});
