import type { CallHandlingEvent, IncidentArea, IncidentGrade } from '@rollcall/contract';
import type { Random } from './random.ts';
import type { SimulationClock } from './simulation-clock.ts';

export interface CallHandlingVolumes {
  /** 999 calls per day (Avon and Somerset handles roughly 600). */
  readonly calls999PerDay: number;
  /** 101 calls per day (roughly 1,100). */
  readonly calls101PerDay: number;
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

/**
 * One month of 999 and 101 calls and the incidents raised from them, shaped like a force
 * contact centre: about 90% of 999 calls answered within 10 s, 101 calls waiting minutes in a
 * primary then a secondary queue with abandonment on both, structured risk assessments on most
 * answered calls, and attendance times by grade and area around the usual 15/20/60-minute
 * targets. Events are emitted only if they happened before the end of the month.
 */
export function simulateCallHandling(
  forceId: string,
  clock: SimulationClock,
  random: Random,
  volumes: CallHandlingVolumes,
): CallHandlingEvent[] {
  const events: CallHandlingEvent[] = [];
  let sequence = 0;
  const envelope = <T extends CallHandlingEvent['type']>(type: T, eventId: string, at: number) => ({
    eventId,
    feed: 'call-handling' as const,
    type,
    forceId,
    occurredAt: clock.iso(at),
    schemaVersion: 1 as const,
  });
  const happened = (at: number) => at < clock.monthEnd;

  const raiseIncident = (callId: string, answeredAt: number, channel: '999' | '101') => {
    const incidentId = `${callId}-i`;
    const grade: IncidentGrade =
      channel === '999'
        ? random.weighted([
            ['emergency', 45],
            ['priority', 40],
            ['scheduled', 12],
            ['no-deployment', 3],
          ])
        : random.weighted([
            ['priority', 30],
            ['scheduled', 55],
            ['no-deployment', 15],
          ]);
    const area: IncidentArea = random.chance(0.7) ? 'urban' : 'rural';
    const gradedAt = answeredAt + random.exponential(90 * SECOND);
    if (!happened(gradedAt)) return;
    events.push({
      ...envelope('incident.graded', `${incidentId}-g1`, gradedAt),
      payload: { incidentId, callId, grade, area },
    });
    let finalGrade = grade;
    if (random.chance(0.05)) {
      finalGrade = grade === 'emergency' ? 'priority' : 'emergency';
      const regradedAt = gradedAt + random.exponential(3 * MINUTE);
      if (happened(regradedAt))
        events.push({
          ...envelope('incident.graded', `${incidentId}-g2`, regradedAt),
          payload: { incidentId, callId, grade: finalGrade, area },
        });
    }
    if (finalGrade === 'no-deployment') return;
    const medianMinutes =
      finalGrade === 'emergency'
        ? area === 'urban'
          ? 10.5
          : 15
        : finalGrade === 'priority'
          ? area === 'urban'
            ? 42
            : 50
          : 8 * 60;
    const attendedAt = gradedAt + random.logNormal(medianMinutes, 0.45) * MINUTE;
    if (happened(attendedAt))
      events.push({ ...envelope('incident.attended', `${incidentId}-at`, attendedAt), payload: { incidentId } });
  };

  const assess = (callId: string, answeredAt: number, probability: number) => {
    if (!random.chance(probability)) return;
    const at = answeredAt + random.exponential(4 * MINUTE);
    if (!happened(at)) return;
    events.push({
      ...envelope('call.assessed', `${callId}-as`, at),
      payload: {
        callId,
        structuredRiskAssessment: random.chance(0.9),
        vulnerable: random.chance(0.18),
        repeatVictim: random.chance(0.12),
      },
    });
  };

  for (const day of clock.days) {
    for (let i = 0; i < volumes.calls999PerDay; i++) {
      const callId = `${forceId.slice(0, 3)}-${clock.month}-999-${(sequence++).toString(36)}`;
      const presentedAt = clock.instantOn(day, random);
      const btTransferSeconds = Math.round(Math.max(0.4, random.normal(2.2, 0.6)) * 10) / 10;
      events.push({
        ...envelope('call.presented', `${callId}-p`, presentedAt),
        payload: { callId, channel: '999', queue: 'primary', btTransferSeconds },
      });
      if (random.chance(0.012)) {
        const abandonedAt = presentedAt + random.exponential(20 * SECOND);
        if (happened(abandonedAt))
          events.push({ ...envelope('call.abandoned', `${callId}-ab`, abandonedAt), payload: { callId } });
        continue;
      }
      const delay = random.chance(0.93) ? random.exponential(2.4 * SECOND) : random.logNormal(14 * SECOND, 0.7);
      const answeredAt = presentedAt + delay;
      if (!happened(answeredAt)) continue;
      events.push({ ...envelope('call.answered', `${callId}-a`, answeredAt), payload: { callId } });
      assess(callId, answeredAt, 0.45);
      if (random.chance(0.7)) raiseIncident(callId, answeredAt, '999');
    }
    for (let i = 0; i < volumes.calls101PerDay; i++) {
      const callId = `${forceId.slice(0, 3)}-${clock.month}-101-${(sequence++).toString(36)}`;
      const presentedAt = clock.instantOn(day, random);
      events.push({
        ...envelope('call.presented', `${callId}-p`, presentedAt),
        payload: { callId, channel: '101', queue: 'primary' },
      });
      const primaryWait = random.logNormal(90 * SECOND, 0.9);
      if (random.chance(0.08)) {
        const abandonedAt = presentedAt + random.exponential(60 * SECOND);
        if (happened(abandonedAt))
          events.push({ ...envelope('call.abandoned', `${callId}-ab`, abandonedAt), payload: { callId } });
        continue;
      }
      let answerAt = presentedAt + primaryWait;
      if (random.chance(0.65)) {
        const transferredAt = presentedAt + primaryWait;
        if (!happened(transferredAt)) continue;
        events.push({
          ...envelope('call.transferred', `${callId}-t`, transferredAt),
          payload: { callId, toQueue: 'secondary' },
        });
        if (random.chance(0.16)) {
          const abandonedAt = transferredAt + random.logNormal(6 * MINUTE, 0.8);
          if (happened(abandonedAt))
            events.push({ ...envelope('call.abandoned', `${callId}-ab`, abandonedAt), payload: { callId } });
          continue;
        }
        answerAt = transferredAt + random.logNormal(5 * MINUTE, 0.9);
      }
      if (!happened(answerAt)) continue;
      events.push({ ...envelope('call.answered', `${callId}-a`, answerAt), payload: { callId } });
      assess(callId, answerAt, 0.3);
      if (random.chance(0.25)) raiseIncident(callId, answerAt, '101');
    }
  }
  return events;
}
