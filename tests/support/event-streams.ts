import { addDays, createCalendar, daysBetween, type LocalDate } from '@rollcall/calendar';
import { type EventOfType, type EventType, feedOfType } from '@rollcall/contract';
import { expect } from 'vitest';
import type { PipelineHarness } from './pipeline-harness.ts';

/**
 * Building blocks for event streams whose true answer is a published figure: deterministic
 * (seeded), London-local, and offered in a shuffled order so that events arrive late and out of
 * order as they do from real feeds.
 */

export const london = createCalendar('Europe/London');

/** A deterministic generator of numbers in [0, 1) (mulberry32): the same stream on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A whole number in [from, to]. */
export const between = (random: () => number, from: number, to: number): number =>
  from + Math.floor(random() * (to - from + 1));

/** The items in a deterministic random order (Fisher–Yates). */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** The instant `ms` milliseconds after London midnight at the start of `day`, as an ISO time in UTC. */
export const atLondon = (day: LocalDate, ms: number): string => new Date(london.startOfDay(day) + ms).toISOString();

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** `iso` moved by `ms` milliseconds. */
export const plusMs = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();

/** The London day an instant falls on. */
export const londonDayOf = (iso: string): LocalDate => london.dayOf(Date.parse(iso));

/** Every day from `from` to `to`, inclusive. */
export function daysFrom(from: LocalDate, to: LocalDate): LocalDate[] {
  const days: LocalDate[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  return days;
}

/** A random London day from `from` to `to`, inclusive. */
export const dayBetween = (random: () => number, from: LocalDate, to: LocalDate): LocalDate =>
  addDays(from, between(random, 0, daysBetween(from, to)));

/** A random instant during London day `day` (any second of its 23, 24 or 25 hours). */
export const sometimeOn = (random: () => number, day: LocalDate): string =>
  atLondon(day, Math.floor(random() * london.hoursInDay(day) * 3_600) * 1_000);

/** One event of the contract, for Avon and Somerset unless told otherwise. */
export function feedEvent<T extends EventType>(
  type: T,
  eventId: string,
  occurredAt: string,
  payload: EventOfType<T>['payload'],
  forceId = 'avon-and-somerset',
): EventOfType<T> {
  return { eventId, feed: feedOfType(type), type, forceId, occurredAt, schemaVersion: 1, payload } as EventOfType<T>;
}

/** Fails with the reasons if any offered event was rejected: a stream must be valid to mean anything. */
export async function expectNothingRejected(harness: PipelineHarness): Promise<void> {
  const rejected = await harness.db.selectFrom('rejected_events').selectAll().limit(5).execute();
  expect(rejected).toEqual([]);
}
