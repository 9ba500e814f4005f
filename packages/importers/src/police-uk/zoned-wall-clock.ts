/**
 * Wall-clock time in an IANA zone, both ways, with Intl (no dependency). `@rollcall/calendar`
 * answers "which day is this instant on"; the importer also needs "which instant is this local
 * time" and "write this instant with its local offset", which it does not offer.
 */

export interface WallClock {
  readonly year: number;
  /** 1..12 */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
// Zone offsets change only on 15-minute boundaries, so an offset is constant within a slot and
// can be cached: Intl formatting costs microseconds, and a large file asks for a few per row.
const SLOT_MS = 15 * MINUTE_MS;
const MAX_CACHED_SLOTS = 100_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetsBySlot = new Map<string, number>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Offset of the zone from UTC at an instant, in minutes (London: 0 or 60). */
export function offsetMinutesAt(instantMs: number, timeZone: string): number {
  const slot = Math.floor(instantMs / SLOT_MS);
  const key = `${timeZone}|${slot}`;
  const cached = offsetsBySlot.get(key);
  if (cached !== undefined) return cached;

  const slotStart = slot * SLOT_MS;
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(slotStart)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const wallMs = Date.UTC(
    parts.year ?? 0,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  const offset = Math.round((wallMs - slotStart) / MINUTE_MS);
  if (offsetsBySlot.size >= MAX_CACHED_SLOTS) offsetsBySlot.clear();
  offsetsBySlot.set(key, offset);
  return offset;
}

/**
 * The instant a local wall-clock time names. Twice a year that is not one instant; this resolves
 * both cases the way Temporal's `disambiguation: 'compatible'` does (and most people read a form):
 * - a time in the spring-forward gap (01:30 on the last Sunday of March in London) does not exist;
 *   it is read with the offset before the change, so 01:30 becomes 02:30 BST;
 * - a time in the autumn overlap (01:30 on the last Sunday of October) exists twice; the earlier
 *   one (BST) is taken.
 */
export function instantOfWallClock(wall: WallClock, timeZone: string): number {
  const wallMs = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  const before = offsetMinutesAt(wallMs - DAY_MS, timeZone);
  const after = offsetMinutesAt(wallMs + DAY_MS, timeZone);
  const valid = [...new Set([before, after])]
    .map((offset) => wallMs - offset * MINUTE_MS)
    .filter((instant) => wallMs - offsetMinutesAt(instant, timeZone) * MINUTE_MS === instant);
  if (valid.length > 0) return Math.min(...valid);
  return wallMs - before * MINUTE_MS;
}

const pad = (value: number, width = 2): string => String(Math.abs(value)).padStart(width, '0');

/** ISO 8601 with seconds and the zone's offset at that instant: `2019-07-01T14:05:00+01:00`. */
export function isoWithOffset(instantMs: number, timeZone: string): string {
  const offset = offsetMinutesAt(instantMs, timeZone);
  const local = new Date(instantMs + offset * MINUTE_MS);
  const sign = offset < 0 ? '-' : '+';
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
    `${sign}${pad(Math.trunc(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`
  );
}
