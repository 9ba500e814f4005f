import { describe, expect, it } from 'vitest';
import { targetStatus } from './target-status.ts';

const interval = (lower: number, upper: number) => ({
  method: 'normal' as const,
  level: 0.95 as const,
  lower,
  upper,
  halfWidth: (upper - lower) / 2,
});

describe('targetStatus: met, nearly met (amber) and not met', () => {
  const atLeast90 = { value: 90, rule: 'at-least' as const };
  const below5 = { value: 5, rule: 'below' as const };

  it('is nearly met when the value misses an at-least target but its interval reaches it', () => {
    // 8,940 of 10,000: 89.4% ± 0.603 points, 88.797 to 90.003: chance alone could give 90%.
    expect(targetStatus(89.4, atLeast90, interval(88.797, 90.003))).toBe('nearly met');
    expect(targetStatus(75, atLeast90, interval(67.3, 82.7))).toBe('not met');
    expect(targetStatus(90, atLeast90, interval(89.4, 90.6))).toBe('met');
  });

  it('reads a below target the other way: the interval must reach under it', () => {
    expect(targetStatus(6, below5, interval(4.96, 7.04))).toBe('nearly met');
    expect(targetStatus(6, below5, interval(5, 7))).toBe('not met');
    expect(targetStatus(4.9, below5, interval(4, 5.8))).toBe('met');
  });

  it('is met or not met only without an interval, or with the rule off', () => {
    expect(targetStatus(89.4, atLeast90, null)).toBe('not met');
    expect(targetStatus(89.4, atLeast90, interval(88.797, 90.003), 'off')).toBe('not met');
  });
});
