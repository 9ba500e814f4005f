import { METRIC } from '@rollcall/contract';
import type { MeasureDefinition, MeasureResult } from '../measure-definition.ts';
import { FLOW_PERIOD_KINDS } from '../periods.ts';
import { row } from './measure-input-of.ts';
import { shareResult } from './share-result.ts';

export const INCIDENT_CELLS = {
  due: 'incidents.due',
  duePrefix: 'incidents.due.',
  withinTarget: 'incidents.within_target',
  withinTargetPrefix: 'incidents.within_target.',
} as const;

const AREAS = ['urban', 'rural'] as const;

export const incidentsAttendedWithinTarget: MeasureDefinition = {
  id: 'incidents.attended_within_target',
  title: 'Incidents attended within the target time',
  feed: 'call-handling',
  unit: 'percent',
  direction: 'higher-is-better',
  definition:
    'Per grade and area (urban, rural), for every grade the force has an attendance time for (force setting attendanceTargetMinutes; default emergency 15 min urban / 20 min rural, priority 60 min): ' +
    'incidents first graded in the period, of that grade, attended within the time ÷ incidents first graded in the period, of that grade, attended or overdue. ' +
    "The grade is the last grading before attendance; the time runs from the first grading to the first officer's arrival, rounded up to whole minutes, so an arrival exactly 15 minutes after grading is within 15 minutes and one a second later is not. " +
    'An incident with no attendance recorded is overdue once its time has passed by the end of the period (for a period ending on the as-of day, the end of that day): one graded at 23:55 with 15 minutes to go is neither attended nor overdue then, and is left out until a later figure. ' +
    "Attendance times are at most 23 hours, so only incidents graded on a period's last day can be not yet due at its end. " +
    'Headline: all graded incidents with a target together, each judged against its own grade and area. Grades without a target (scheduled, no deployment) are left out. Not compared across forces, whose targets differ.',
  source:
    '"doesn\'t always attend ... within the timescale it has set, based on the priority of the call" (HMICFRS PEEL).',
  periods: FLOW_PERIOD_KINDS,
  breakdowns: ['grade', 'area'],
  additiveGroups: [
    { total: INCIDENT_CELLS.due, partsPrefix: INCIDENT_CELLS.duePrefix },
    { total: INCIDENT_CELLS.withinTarget, partsPrefix: INCIDENT_CELLS.withinTargetPrefix },
  ],
  example: {
    description:
      'Emergency urban: 80 attended within 15 minutes, 15 later, 7 not attended, of which 2 were graded 4 and 15 minutes before the end of the period (not yet due) and 5 earlier (overdue, one of them 16 minutes before the end); emergency rural: 30 within 20 minutes, 10 later; priority urban: 90 within 60 minutes, 10 later; no priority rural incidents; 40 scheduled incidents (no target).',
    aggregates: [
      row(METRIC.incidentsAttendedMinutes, 'emergency|urban|9', 50),
      row(METRIC.incidentsAttendedMinutes, 'emergency|urban|15', 30),
      row(METRIC.incidentsAttendedMinutes, 'emergency|urban|16', 15),
      row(METRIC.incidentsUnattended, 'emergency|urban', 7),
      row(METRIC.incidentsAttendedMinutes, 'emergency|rural|20', 30),
      row(METRIC.incidentsAttendedMinutes, 'emergency|rural|35', 10),
      row(METRIC.incidentsAttendedMinutes, 'priority|urban|45', 90),
      row(METRIC.incidentsAttendedMinutes, 'priority|urban|75', 10),
      row(METRIC.incidentsAttendedMinutes, 'scheduled|urban|600', 40),
    ],
    // Not attended and graded on the period's last day, with 4, 15 and 16 minutes to go at its end.
    asAtEnd: [
      row(METRIC.incidentsUnattendedAtDayEnd, 'emergency|urban|4', 1),
      row(METRIC.incidentsUnattendedAtDayEnd, 'emergency|urban|15', 1),
      row(METRIC.incidentsUnattendedAtDayEnd, 'emergency|urban|16', 1),
    ],
  },
  compute: ({ aggregates, asAtEnd, settings }) => {
    const parts: MeasureResult[] = [];
    let within = 0;
    let due = 0;
    for (const [grade, targets] of Object.entries(settings.attendanceTargetMinutes)) {
      for (const area of AREAS) {
        const target = targets[area];
        const cell = `${grade}|${area}`;
        const attended = aggregates.sumWhere(METRIC.incidentsAttendedMinutes, ([g, a]) => g === grade && a === area);
        const inTime = aggregates.sumWhere(
          METRIC.incidentsAttendedMinutes,
          ([g, a, minutes]) => g === grade && a === area && Number(minutes) <= target,
        );
        // Not attended and graded on the period's last day with no more than the target left then.
        const notYetDue = asAtEnd.sumWhere(
          METRIC.incidentsUnattendedAtDayEnd,
          ([g, a, minutesLeft]) => g === grade && a === area && Number(minutesLeft) <= target,
        );
        const total = attended + aggregates.get(METRIC.incidentsUnattended, cell) - notYetDue;
        within += inTime;
        due += total;
        parts.push(
          shareResult(
            inTime,
            total,
            {
              numerator: `${INCIDENT_CELLS.withinTargetPrefix}${cell}`,
              denominator: `${INCIDENT_CELLS.duePrefix}${cell}`,
            },
            { breakdown: { grade, area } },
          ),
        );
      }
    }
    return [
      shareResult(within, due, { numerator: INCIDENT_CELLS.withinTarget, denominator: INCIDENT_CELLS.due }),
      ...parts,
    ];
  },
};
