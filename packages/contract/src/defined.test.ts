import { describe, expect, it } from 'vitest';
import { defined } from './defined.ts';

describe('defined', () => {
  it('returns a value that is there, null and 0 included', () => {
    expect(defined([7][0], 'the first item')).toBe(7);
    expect(defined(null, 'a nullable value')).toBeNull();
    expect(defined(0, 'a count')).toBe(0);
  });

  it('throws an error naming what is missing', () => {
    expect(() => defined([][0], 'the first item')).toThrow('the first item is missing');
  });
});
