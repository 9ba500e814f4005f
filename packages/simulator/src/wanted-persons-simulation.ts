import { addDays } from '@rollcall/calendar';
import type { WantedPersonsEvent, WantedRisk } from '@rollcall/contract';
import type { Random } from './random.ts';
import type { SimulationClock } from './simulation-clock.ts';

const DAY = 86_400_000;

/** Teams and their median days to arrest; HMICFRS found medians from 41 to 156 days by team. */
const TEAMS: readonly (readonly [string, number])[] = [
  ['Bristol', 41],
  ['Bath and North East Somerset', 58],
  ['North Somerset', 74],
  ['South Gloucestershire', 90],
  ['Somerset East', 120],
  ['Somerset West', 156],
];

export interface WantedPersonsVolumes {
  /** New circulations per month (about 200). */
  readonly circulationsPerMonth: number;
  /** Months of history before the simulated month, as a PNC extract would carry. */
  readonly historyMonths: number;
}

/**
 * Wanted-person circulations over `historyMonths` before the simulated month and during it:
 * each either arrested (after a log-normal time around its team's median), cancelled, or still
 * wanted, which is how a stock of about 2,500 open circulations, most of them older than six
 * months, builds up. Some people are circulated more than once; some risks change. Only events
 * that happened before the end of the month are emitted (the rest are the future).
 */
export function simulateWantedPersons(
  forceId: string,
  clock: SimulationClock,
  random: Random,
  volumes: WantedPersonsVolumes,
): WantedPersonsEvent[] {
  const events: WantedPersonsEvent[] = [];
  const people: string[] = [];
  const start = clock.monthStart - volumes.historyMonths * 30.4 * DAY;
  const total = Math.round(volumes.circulationsPerMonth * (volumes.historyMonths + 1));
  const envelope = <T extends WantedPersonsEvent['type']>(type: T, eventId: string, at: number) => ({
    eventId,
    feed: 'wanted-persons' as const,
    type,
    forceId,
    occurredAt: clock.iso(at),
    schemaVersion: 1 as const,
  });
  for (let i = 0; i < total; i++) {
    const circulationId = `${forceId.slice(0, 3)}-pnc-${clock.month}-${i.toString(36)}`;
    const circulatedAt = start + random.next() * (clock.monthEnd - start);
    const personRef =
      people.length > 50 && random.chance(0.1)
        ? random.pick(people)
        : `PNC/${(1_000_000 + i * 7919).toString(36).toUpperCase()}`;
    people.push(personRef);
    const [team, medianDays] = random.pick(TEAMS);
    const risk: WantedRisk = random.weighted([
      ['high', 18],
      ['medium', 50],
      ['low', 32],
    ]);
    events.push({
      ...envelope('wanted.circulated', `${circulationId}-c`, circulatedAt),
      payload: { circulationId, personRef, risk, team, top20: risk === 'high' && random.chance(0.08) },
    });
    const fate = random.weighted([
      ['arrested', 74],
      ['cancelled', 11],
      ['still wanted', 15],
    ]);
    const closedAt =
      fate === 'arrested'
        ? circulatedAt + random.logNormal(medianDays, 1.1) * DAY
        : fate === 'cancelled'
          ? circulatedAt + random.logNormal(200, 0.8) * DAY
          : Number.POSITIVE_INFINITY;
    if (random.chance(0.15)) {
      const changedAt = circulatedAt + random.exponential(30) * DAY;
      if (changedAt < Math.min(closedAt, clock.monthEnd)) {
        events.push({
          ...envelope('wanted.risk-changed', `${circulationId}-r`, changedAt),
          payload: { circulationId, risk: random.pick(['high', 'medium', 'low'] as const) },
        });
      }
    }
    if (closedAt < clock.monthEnd) {
      if (fate === 'arrested')
        events.push({ ...envelope('wanted.arrested', `${circulationId}-a`, closedAt), payload: { circulationId } });
      else
        events.push({
          ...envelope('wanted.cancelled', `${circulationId}-x`, closedAt),
          payload: { circulationId, reason: 'no longer required by the investigating team' },
        });
    }
  }
  return events;
}

/** The first day of history a simulation covers (for logs). */
export const historyStart = (month: string, historyMonths: number): string =>
  addDays(`${month}-01`, -Math.round(historyMonths * 30.4));
