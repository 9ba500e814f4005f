import { describe, expect, it } from 'vitest';
import { dimOf } from './daily-metrics.ts';

describe('dimOf', () => {
  it('joins the parts with |, each written as String writes it', () => {
    expect(dimOf('999', 'answered', 12, true, null)).toBe('999|answered|12|true|null');
    expect(dimOf('rural')).toBe('rural');
    expect(dimOf()).toBe('');
  });

  it('writes a | inside a part as /, so the parts can be told apart again', () => {
    expect(dimOf('Team A|B', 'x||y', '|')).toBe('Team A/B|x//y|/');
    expect(dimOf('a|b').split('|')).toEqual(['a/b']);
  });
});
