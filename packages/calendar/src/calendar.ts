import { TZDate, tzOffset } from '@date-fns/tz';
import { addDays, type LocalDate } from './local-date.ts';

/** Every zone offset in use is a multiple of 15 minutes, so the local day is constant per slot. */
const SLOT_MS = 15 * 60_000;
const DAY_MS = 86_400_000;
const MAX_CACHED_SLOTS = 400_000; // about 11 years of slots; a replay of 3 years fits
const MAX_CACHED_DAYS = 40_000; // about 110 years of day starts

/** The reporting calendar: which local day an instant falls on, and where local days begin. */
export interface Calendar {
  readonly timeZone: string;
  /** Local date of an instant (epoch milliseconds). */
  dayOf(instantMs: number): LocalDate;
  /** The instant local `day` begins (midnight, or the first valid instant after it). */
  startOfDay(day: LocalDate): number;
  /** The instant local `day` ends: the start of the next day (exclusive bound). */
  endOfDay(day: LocalDate): number;
  /** Length of a local day in hours: 23, 24 or 25 in London. */
  hoursInDay(day: LocalDate): number;
}

/**
 * A calendar for an IANA time zone. `dayOf` is on the hot path (every event, every replay) and
 * Intl formatting costs microseconds per call, so the local date is cached per 15-minute UTC slot;
 * it is exact because the slot never straddles a local midnight.
 */
export function createCalendar(timeZone = 'Europe/London'): Calendar {
  const daysBySlot = new Map<number, LocalDate>();
  /**
   * Offset per UTC day when it is the same at both ends of that day (all but the few days of a
   * transition): one Intl lookup per day instead of one per slot, which matters when replaying
   * years of history.
   */
  const offsetByUtcDay = new Map<number, number | null>();

  const offsetAt = (slotStart: number): number => {
    const utcDay = Math.floor(slotStart / DAY_MS);
    let offset = offsetByUtcDay.get(utcDay);
    if (offset === undefined) {
      const atStart = tzOffset(timeZone, new Date(utcDay * DAY_MS));
      const atEnd = tzOffset(timeZone, new Date((utcDay + 1) * DAY_MS - SLOT_MS));
      offset = atStart === atEnd ? atStart : null;
      offsetByUtcDay.set(utcDay, offset);
    }
    return offset ?? tzOffset(timeZone, new Date(slotStart));
  };

  const dayOf = (instantMs: number): LocalDate => {
    const slot = Math.floor(instantMs / SLOT_MS);
    let day = daysBySlot.get(slot);
    if (day === undefined) {
      const slotStart = slot * SLOT_MS;
      day = new Date(slotStart + offsetAt(slotStart) * 60_000).toISOString().slice(0, 10);
      if (daysBySlot.size >= MAX_CACHED_SLOTS) daysBySlot.clear();
      daysBySlot.set(slot, day);
    }
    return day;
  };

  // Interpreters ask for day bounds per entity; a TZDate costs microseconds, so each day's start
  // is computed once (issue 19: a tenth of replay's fold).
  const startsByDay = new Map<LocalDate, number>();
  const startOfDay = (day: LocalDate): number => {
    let start = startsByDay.get(day);
    if (start === undefined) {
      start = new TZDate(
        Number(day.slice(0, 4)),
        Number(day.slice(5, 7)) - 1,
        Number(day.slice(8, 10)),
        timeZone,
      ).getTime();
      if (startsByDay.size >= MAX_CACHED_DAYS) startsByDay.clear();
      startsByDay.set(day, start);
    }
    return start;
  };

  const endOfDay = (day: LocalDate): number => startOfDay(addDays(day, 1));

  return {
    timeZone,
    dayOf,
    startOfDay,
    endOfDay,
    hoursInDay: (day) => (endOfDay(day) - startOfDay(day)) / 3_600_000,
  };
}
