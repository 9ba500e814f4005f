import { describe, expect, it } from 'vitest';
import { isoInstant } from './iso-instant.ts';

describe('isoInstant', () => {
  it('writes the same text as toISOString at the edges of days, months, leap years and its range', () => {
    const instants = [
      0,
      1,
      999,
      86_399_999,
      86_400_000,
      Date.UTC(2000, 1, 29, 23, 59, 59, 999),
      Date.UTC(2024, 1, 29, 12, 0, 0, 5),
      Date.UTC(2100, 2, 1),
      Date.UTC(2024, 2, 31, 0, 59, 59, 50), // the night London's clocks go forward: UTC all the same
      253_402_300_799_999, // 9999-12-31T23:59:59.999Z, the last four-digit year's last millisecond
    ];
    for (const ms of instants) expect(isoInstant(ms)).toBe(new Date(ms).toISOString());
  });

  it('writes the same text as toISOString for a million instants from 1970 to 2100', () => {
    // A fixed sequence (a linear congruential generator), so a failure names the same instant every run.
    let seed = 12_345;
    const end = Date.UTC(2100, 0, 1);
    for (let i = 0; i < 1_000_000; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      const ms = Math.floor((seed / 2_147_483_648) * end);
      const expected = new Date(ms).toISOString();
      if (isoInstant(ms) !== expected) expect(isoInstant(ms)).toBe(expected);
    }
  });

  it("gives toISOString's own answer outside its range and for fractions of a millisecond", () => {
    for (const ms of [-1, -86_400_001, 253_402_300_800_000, 8.64e15, 1_704_067_200_000.5])
      expect(isoInstant(ms)).toBe(new Date(ms).toISOString());
    expect(() => isoInstant(Number.NaN)).toThrow(RangeError);
  });
});
