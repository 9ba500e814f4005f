import { describe, expect, it } from 'vitest';
import { createCalendar } from './calendar.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();
const intlDay = (instant: number, timeZone: string) => {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, formatter);
  }
  return formatter.format(instant);
};

describe('createCalendar (Europe/London)', () => {
  const london = createCalendar('Europe/London');

  it('puts 23:30 UTC on 31 March 2022 in April (BST began on 27 March)', () => {
    expect(london.dayOf(Date.parse('2022-03-31T23:30:00Z'))).toBe('2022-04-01');
    expect(london.dayOf(Date.parse('2022-03-31T22:59:59.999Z'))).toBe('2022-03-31');
  });

  it('keeps 23:30 UTC in the same day in winter', () => {
    expect(london.dayOf(Date.parse('2022-01-31T23:30:00Z'))).toBe('2022-01-31');
  });

  it('honours explicit offsets', () => {
    expect(london.dayOf(Date.parse('2022-06-01T00:30:00+01:00'))).toBe('2022-06-01');
    expect(london.dayOf(Date.parse('2022-06-01T00:30:00+02:00'))).toBe('2022-05-31');
  });

  it('knows the short and long days', () => {
    expect(london.hoursInDay('2022-03-27')).toBe(23);
    expect(london.hoursInDay('2022-10-30')).toBe(25);
    expect(london.hoursInDay('2022-10-31')).toBe(24);
    expect(new Date(london.startOfDay('2022-10-30')).toISOString()).toBe('2022-10-29T23:00:00.000Z');
    expect(new Date(london.endOfDay('2022-10-30')).toISOString()).toBe('2022-10-31T00:00:00.000Z');
  });

  it('agrees with Intl every 7 minutes across two years of DST changes', () => {
    const from = Date.parse('2021-01-01T00:00:00Z');
    const to = Date.parse('2023-01-01T00:00:00Z');
    let mismatches = 0;
    for (let t = from; t < to; t += 7 * 60_000) if (london.dayOf(t) !== intlDay(t, 'Europe/London')) mismatches++;
    expect(mismatches).toBe(0);
  });

  it('agrees with Intl at the millisecond either side of every local midnight of 2022', () => {
    for (let day = Date.parse('2022-01-01T00:00:00Z'); day < Date.parse('2023-01-01T00:00:00Z'); day += 86_400_000) {
      const local = new Date(day).toISOString().slice(0, 10);
      const start = london.startOfDay(local);
      expect(london.dayOf(start)).toBe(local);
      expect(intlDay(start - 1, 'Europe/London')).not.toBe(local);
      expect(london.dayOf(start - 1)).toBe(intlDay(start - 1, 'Europe/London'));
    }
  });
});

describe('createCalendar (other zones)', () => {
  it('works for a zone with a 45-minute offset', () => {
    const kathmandu = createCalendar('Asia/Kathmandu');
    const t = Date.parse('2022-05-31T18:15:00Z'); // 00:00 on 1 June in Kathmandu (+05:45)
    expect(kathmandu.dayOf(t)).toBe('2022-06-01');
    expect(kathmandu.dayOf(t - 1)).toBe('2022-05-31');
  });

  it('agrees with Intl every 7 minutes across two years in zones with odd offsets and changes, and before 1970', () => {
    for (const zone of ['America/St_Johns', 'Pacific/Chatham', 'Australia/Lord_Howe', 'Asia/Kathmandu']) {
      const calendar = createCalendar(zone);
      const mismatches: string[] = [];
      const check = (t: number) => {
        if (calendar.dayOf(t) !== intlDay(t, zone)) mismatches.push(new Date(t).toISOString());
      };
      for (let t = Date.parse('2023-01-01T00:00:00Z'); t < Date.parse('2025-01-01T00:00:00Z'); t += 7 * 60_000)
        check(t);
      // Before 1970 and on its first day: the slot path, not the arrays.
      for (let t = Date.parse('1969-12-30T00:00:00Z'); t < Date.parse('1970-01-02T00:00:00Z'); t += 7 * 60_000)
        check(t);
      expect({ zone, mismatches }).toEqual({ zone, mismatches: [] });
    }
  });
});
