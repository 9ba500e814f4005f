import { describe, expect, it } from 'vitest';
import { instantOfWallClock, isoWithOffset, offsetMinutesAt } from './zoned-wall-clock.ts';

const LONDON = 'Europe/London';
const wall = (iso: string) => ({
  year: Number(iso.slice(0, 4)),
  month: Number(iso.slice(5, 7)),
  day: Number(iso.slice(8, 10)),
  hour: Number(iso.slice(11, 13)),
  minute: Number(iso.slice(14, 16)),
  second: Number(iso.slice(17, 19)),
});
const at = (iso: string) => new Date(instantOfWallClock(wall(iso), LONDON)).toISOString();

describe('instantOfWallClock (Europe/London)', () => {
  it('reads summer times as BST and winter times as GMT', () => {
    expect(at('2019-07-01T14:05:00')).toBe('2019-07-01T13:05:00.000Z');
    expect(at('2019-01-15T14:05:00')).toBe('2019-01-15T14:05:00.000Z');
  });

  it('moves a time in the spring-forward gap forward by the gap (01:30 → 02:30 BST)', () => {
    expect(at('2019-03-31T01:30:00')).toBe('2019-03-31T01:30:00.000Z');
  });

  it('takes the earlier (BST) instant of a time that happens twice in autumn', () => {
    expect(at('2019-10-27T01:30:00')).toBe('2019-10-27T00:30:00.000Z');
    expect(at('2019-10-27T02:30:00')).toBe('2019-10-27T02:30:00.000Z');
  });

  it('round-trips Intl formatting every 61 minutes of a DST year', () => {
    const format = new Intl.DateTimeFormat('sv-SE', { timeZone: LONDON, dateStyle: 'short', timeStyle: 'medium' });
    const localOf = (t: number) => format.format(t).replace(' ', 'T');
    let checked = 0;
    for (let t = Date.parse('2019-01-01T00:00:00Z'); t < Date.parse('2020-01-01T00:00:00Z'); t += 61 * 60_000) {
      const local = localOf(t);
      // In the repeated autumn hour the same wall time names t and t - 1 h; the earlier is chosen.
      const expected = localOf(t - 3_600_000) === local ? t - 3_600_000 : t;
      expect(instantOfWallClock(wall(local), LONDON), local).toBe(expected);
      checked++;
    }
    expect(checked).toBeGreaterThan(8_000);
  });
});

describe('isoWithOffset', () => {
  it('writes London offsets', () => {
    expect(isoWithOffset(Date.parse('2019-07-01T13:05:00Z'), LONDON)).toBe('2019-07-01T14:05:00+01:00');
    expect(isoWithOffset(Date.parse('2019-01-01T00:30:00Z'), LONDON)).toBe('2019-01-01T00:30:00+00:00');
    expect(isoWithOffset(Date.parse('2019-06-30T23:30:00Z'), LONDON)).toBe('2019-07-01T00:30:00+01:00');
  });

  it('writes negative and fractional offsets', () => {
    expect(isoWithOffset(Date.parse('2019-07-01T13:05:00Z'), 'America/St_Johns')).toBe('2019-07-01T10:35:00-02:30');
    expect(offsetMinutesAt(Date.parse('2019-07-01T13:05:00Z'), 'Asia/Kolkata')).toBe(330);
  });
});
