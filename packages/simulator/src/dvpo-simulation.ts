import type { DvpoEvent } from '@rollcall/contract';
import type { Random } from './random.ts';
import type { SimulationClock } from './simulation-clock.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface DvpoVolumes {
  /** DVPNs authorised per month (Avon and Somerset: about 21 in 2018/19). */
  readonly noticesPerMonth: number;
  /** Domestic-abuse crimes recorded per month (about 1,700). */
  readonly domesticAbuseCrimesPerMonth: number;
}

/**
 * DVPNs authorised by a superintendent, most followed within 48 hours by a DVPO application
 * that the court usually grants; breaches of notices and orders; domestic-abuse crimes with
 * whether a notice or order was recorded as considered (about six in ten record it).
 */
export function simulateDvpo(
  forceId: string,
  clock: SimulationClock,
  random: Random,
  volumes: DvpoVolumes,
): DvpoEvent[] {
  const events: DvpoEvent[] = [];
  const envelope = <T extends DvpoEvent['type']>(type: T, eventId: string, at: number) => ({
    eventId,
    feed: 'dvpo' as const,
    type,
    forceId,
    occurredAt: clock.iso(at),
    schemaVersion: 1 as const,
  });
  const happened = (at: number) => at < clock.monthEnd;
  const span = clock.monthEnd - clock.monthStart;
  for (let i = 0; i < volumes.noticesPerMonth; i++) {
    const caseRef = `${forceId.slice(0, 3)}-dv-${clock.month}-${i}`;
    const subjectRef = `SUBJ/${clock.month}/${i}`;
    const authorisedAt = clock.monthStart + random.next() * span;
    events.push({ ...envelope('dvpn.authorised', `${caseRef}-n`, authorisedAt), payload: { caseRef, subjectRef } });
    if (random.chance(0.05)) {
      const breachAt = authorisedAt + random.next() * 40 * HOUR;
      if (happened(breachAt))
        events.push({ ...envelope('dvpn.breached', `${caseRef}-nb`, breachAt), payload: { caseRef } });
    }
    if (!random.chance(0.93)) continue;
    const appliedAt = authorisedAt + random.integer(6, 40) * HOUR;
    if (!happened(appliedAt)) continue;
    events.push({ ...envelope('dvpo.applied', `${caseRef}-o`, appliedAt), payload: { caseRef, subjectRef } });
    const decidedAt = appliedAt + random.integer(2, 30) * HOUR;
    if (!happened(decidedAt)) continue;
    const outcome = random.weighted([
      ['granted', 93],
      ['refused', 4],
      ['withdrawn', 3],
    ] as const);
    events.push({ ...envelope('dvpo.decided', `${caseRef}-d`, decidedAt), payload: { caseRef, outcome } });
    if (outcome === 'granted' && random.chance(0.11)) {
      const breaches = random.integer(1, 2);
      for (let b = 0; b < breaches; b++) {
        const breachAt = decidedAt + random.next() * 28 * DAY;
        if (happened(breachAt))
          events.push({ ...envelope('dvpo.breached', `${caseRef}-ob${b}`, breachAt), payload: { caseRef } });
      }
    }
  }
  for (let i = 0; i < volumes.domesticAbuseCrimesPerMonth; i++) {
    const crimeRef = `${forceId.slice(0, 3)}-da-${clock.month}-${i.toString(36)}`;
    const recordedAt = clock.monthStart + random.next() * span;
    events.push({ ...envelope('domestic-abuse.crime-recorded', `${crimeRef}-r`, recordedAt), payload: { crimeRef } });
    if (random.chance(0.62)) {
      const at = recordedAt + random.exponential(12 * HOUR);
      if (happened(at))
        events.push({
          ...envelope('protection.considered', `${crimeRef}-pc`, at),
          payload: { crimeRef, considered: random.chance(0.15) },
        });
    }
  }
  return events;
}
