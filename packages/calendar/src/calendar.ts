import { TZDate, tzOffset } from '@date-fns/tz';
import { addDays, type LocalDate } from './local-date.ts';

/** Every zone offset in use is a multiple of 15 minutes, so the local day is constant per slot. */
const SLOT_MS = 15 * 60_000;
const MAX_CACHED_SLOTS = 400_000; // about 11 years of slots; a replay of 3 years fits

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

  const dayOf = (instantMs: number): LocalDate => {
    const slot = Math.floor(instantMs / SLOT_MS);
    let day = daysBySlot.get(slot);
    if (day === undefined) {
      const slotStart = slot * SLOT_MS;
      const offsetMinutes = tzOffset(timeZone, new Date(slotStart));
      day = new Date(slotStart + offsetMinutes * 60_000).toISOString().slice(0, 10);
      if (daysBySlot.size >= MAX_CACHED_SLOTS) daysBySlot.clear();
      daysBySlot.set(slot, day);
    }
    return day;
  };

  const startOfDay = (day: LocalDate): number =>
    new TZDate(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10)), timeZone).getTime();

  const endOfDay = (day: LocalDate): number => startOfDay(addDays(day, 1));

  return {
    timeZone,
    dayOf,
    startOfDay,
    endOfDay,
    hoursInDay: (day) => (endOfDay(day) - startOfDay(day)) / 3_600_000,
  };
}
