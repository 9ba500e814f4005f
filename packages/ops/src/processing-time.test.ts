import { describe, expect, it } from 'vitest';
import { percentile } from './processing-time.ts';

describe('percentile (nearest rank)', () => {
  it('returns a value some job really took', () => {
    const sorted = Array.from({ length: 20 }, (_, i) => (i + 1) * 10);
    expect(percentile(sorted, 50)).toBe(100);
    expect(percentile(sorted, 95)).toBe(190);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([1, 2, 3, 4, 500], 95)).toBe(500);
    expect(percentile([], 50)).toBeNull();
  });
});
