import { addDays, type Calendar } from '@rollcall/calendar';
import type { IncidentGraded } from '@rollcall/contract';
import { dimOf, METRIC } from '@rollcall/contract';
import { type Fact, factsOfType } from './fact.ts';
import { flagExtras, type Lifecycle, LifecycleBuilder } from './lifecycle.ts';

/**
 * Attendance beyond a week is counted as a week: no target is longer (23 hours at most), and the dimension stays
 * bounded.
 */
const MAX_ATTENDANCE_MINUTES = 7 * 24 * 60;

/**
 * An incident: `incident.graded` (possibly regraded) → `incident.attended`. Counted on the London
 * day of its first grading; the grade that counts is the last one before attendance (feeds.md),
 * or the latest if not attended. Attendance time runs from the first grading to the first
 * officer's arrival, rounded up to whole minutes, so "within 15 minutes" is exact: ceil(x) <= 15
 * exactly when x <= 15 (15:00.000 is within, 15:00.001 is not).
 *
 * An incident not attended is overdue only once its target has passed, which depends on the
 * instant it is judged at and on the force's targets, neither known here. So besides counting it
 * as unattended on its grading day (the period it belongs to), it stands in a one-day stock as at
 * the end of that day with the minutes it had left then: the measure subtracts, as at a period's
 * end, those whose target was not yet reached. Targets are at most 23 hours (reference data), so
 * only an incident graded on the period's last day can still be within its target at the end of
 * it, and one day of stock is enough.
 */
export function interpretIncident(facts: readonly Fact[], calendar: Calendar): Lifecycle {
  const builder = new LifecycleBuilder();
  const gradings = factsOfType(facts, 'incident.graded');
  const first = gradings[0];
  if (!first) {
    builder.flag('awaiting incident.graded: nothing counted until it arrives');
    return builder.build('pending', null, null);
  }
  const attendances = factsOfType(facts, 'incident.attended');
  const validAttendances = attendances.filter((fact) => fact.at >= first.at);
  if (validAttendances.length < attendances.length)
    builder.flag('incident.attended timed before incident.graded: ignored');
  flagExtras(builder, validAttendances, 'incident.attended');
  const attended = validAttendances[0];

  const counted = gradings.filter((fact) => !attended || fact.at <= attended.at).at(-1) ?? first;
  const { grade, area } = counted.p as IncidentGraded['payload'];
  const day = calendar.dayOf(first.at);
  builder.add(day, METRIC.incidentsGraded, dimOf(grade, area));
  if (attended) {
    const minutes = Math.min(MAX_ATTENDANCE_MINUTES, Math.ceil((attended.at - first.at) / 60_000));
    builder.add(day, METRIC.incidentsAttendedMinutes, dimOf(grade, area, minutes));
  } else {
    builder.add(day, METRIC.incidentsUnattended, dimOf(grade, area));
    const minutesLeft = Math.ceil((calendar.endOfDay(day) - first.at) / 60_000);
    builder.add(day, METRIC.incidentsUnattendedAtDayEnd, dimOf(grade, area, minutesLeft));
    builder.add(addDays(day, 1), METRIC.incidentsUnattendedAtDayEnd, dimOf(grade, area, minutesLeft), -1);
  }
  return builder.build(attended ? 'attended' : 'awaiting attendance', first.at, attended?.at ?? null);
}
