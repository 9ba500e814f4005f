import { addDays, addMonths, type Calendar, type LocalDate } from '@rollcall/calendar';
import type { Random } from './random.ts';

/**
 * Share of a day's calls in each London hour, from night lows (03:00-05:00) to the early
 * evening peak, the shape police contact centres report. Sums to 1.
 */
const HOURLY_SHARE = [
  0.026, 0.021, 0.017, 0.014, 0.012, 0.012, 0.018, 0.03, 0.041, 0.047, 0.05, 0.051, 0.052, 0.053, 0.055, 0.057, 0.059,
  0.061, 0.062, 0.06, 0.056, 0.051, 0.043, 0.034,
];

/** Days and instants of one simulated month on the reporting calendar. */
export class SimulationClock {
  readonly days: readonly LocalDate[];
  readonly monthStart: number;
  /** The end of the month (exclusive): events at or after it have not happened yet. */
  readonly monthEnd: number;

  constructor(
    readonly calendar: Calendar,
    readonly month: string,
  ) {
    const first = `${month}-01`;
    const next = addMonths(first, 1);
    const days: LocalDate[] = [];
    for (let day = first; day < next; day = addDays(day, 1)) days.push(day);
    this.days = days;
    this.monthStart = calendar.startOfDay(first);
    this.monthEnd = calendar.startOfDay(next);
  }

  /** An instant on `day` following the hourly profile (local hours, so DST days are right). */
  instantOn(day: LocalDate, random: Random): number {
    const hour = random.weighted(HOURLY_SHARE.map((share, h) => [h, share] as const));
    const start = this.calendar.startOfDay(day);
    const end = this.calendar.endOfDay(day);
    // Local hour h begins h hours after midnight except across a DST change; clamp into the day.
    const at = start + hour * 3_600_000 + Math.floor(random.next() * 3_600_000);
    return Math.min(at, end - 1);
  }

  /** Whole-second ISO instant with the UTC offset written as Z. */
  iso(ms: number): string {
    return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  }
}
