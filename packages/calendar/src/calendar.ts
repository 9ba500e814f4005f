import { TZDate, tzOffset } from '@date-fns/tz';
import { addDays, type LocalDate } from './local-date.ts';

/** Every zone offset in use is a multiple of 15 minutes, so the local day is constant per slot. */
const SLOT_MS = 15 * 60_000;
const DAY_MS = 86_400_000;
const MAX_CACHED_SLOTS = 400_000; // about 11 years of slots; a replay of 3 years fits
const MAX_CACHED_DAYS = 40_000; // about 110 years of day starts
/** UTC days from 1970 that `dayOf` answers from arrays (to 2149); others take the slot cache. */
const ARRAY_DAYS = 65_536;
const OFFSET_UNKNOWN = 0x7fff;
/** The offset changes within the UTC day: its slots are looked up one by one. */
const OFFSET_CHANGES = 0x7ffe;

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
 * Intl formatting costs microseconds per call, so each UTC day's offset is looked up once and the
 * local date follows from it; on the few days whose offset changes, the local date is cached per
 * 15-minute UTC slot, exact because the slot never straddles a local midnight.
 */
export function createCalendar(timeZone = 'Europe/London'): Calendar {
  const daysBySlot = new Map<number, LocalDate>();
  /**
   * Offset per UTC day when it is the same at both ends of that day (all but the few days of a
   * transition): one Intl lookup per day instead of one per slot, which matters when replaying
   * years of history.
   */
  const offsetByUtcDay = new Map<number, number | null>();

  /** The offset in minutes at `slotStart`; with `wholeDayOnly`, null unless it holds for its whole UTC day. */
  function offsetAt(slotStart: number): number;
  function offsetAt(slotStart: number, options: { wholeDayOnly: true }): number | null;
  function offsetAt(slotStart: number, options?: { wholeDayOnly: true }): number | null {
    const utcDay = Math.floor(slotStart / DAY_MS);
    let offset = offsetByUtcDay.get(utcDay);
    if (offset === undefined) {
      const atStart = tzOffset(timeZone, new Date(utcDay * DAY_MS));
      const atEnd = tzOffset(timeZone, new Date((utcDay + 1) * DAY_MS - SLOT_MS));
      offset = atStart === atEnd ? atStart : null;
      offsetByUtcDay.set(utcDay, offset);
    }
    if (options?.wholeDayOnly) return offset;
    return offset ?? tzOffset(timeZone, new Date(slotStart));
  }

  // Replay asks for days in entity-hash order, years apart from one call to the next: a map of
  // 15-minute slots (a hundred thousand over three years) was a cache miss or two per event (issue
  // 19). For the usual day, whose offset holds from start to end, the local day is the UTC instant
  // moved by that offset, and its text is kept per day: two small arrays instead of the map.
  const offsetMinutesByUtcDay = new Int16Array(ARRAY_DAYS).fill(OFFSET_UNKNOWN);
  const textByLocalDay: (LocalDate | undefined)[] = new Array<LocalDate | undefined>(ARRAY_DAYS);
  const dayOf = (instantMs: number): LocalDate => {
    const utcDay = Math.floor(instantMs / DAY_MS);
    if (utcDay >= 0 && utcDay < ARRAY_DAYS) {
      let offset = offsetMinutesByUtcDay[utcDay] ?? OFFSET_UNKNOWN;
      if (offset === OFFSET_UNKNOWN) {
        const whole = offsetAt(utcDay * DAY_MS, { wholeDayOnly: true });
        // An offset of whole minutes fits the array; anything else (none in use) takes the slot path.
        offset = whole !== null && Number.isInteger(whole) && Math.abs(whole) < 1_440 ? whole : OFFSET_CHANGES;
        offsetMinutesByUtcDay[utcDay] = offset;
      }
      if (offset !== OFFSET_CHANGES) {
        const localDay = Math.floor((instantMs + offset * 60_000) / DAY_MS);
        if (localDay >= 0 && localDay < ARRAY_DAYS)
          return (textByLocalDay[localDay] ??= new Date(localDay * DAY_MS).toISOString().slice(0, 10));
      }
    }
    return dayOfSlot(instantMs);
  };

  const dayOfSlot = (instantMs: number): LocalDate => {
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
