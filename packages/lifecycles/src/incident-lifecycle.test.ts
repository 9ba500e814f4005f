import { createCalendar } from '@rollcall/calendar';
import { describe, expect, it } from 'vitest';
import { mergeFacts } from './fact.ts';
import { interpretIncident } from './incident-lifecycle.ts';
import { fact, totals } from './test-facts.ts';

const calendar = createCalendar('Europe/London');
const interpret = (...facts: ReturnType<typeof fact>[]) => interpretIncident(mergeFacts([], facts), calendar);

describe('interpretIncident', () => {
  it('counts the grade and area of the last grading before attendance, timed from the first grading', () => {
    const lifecycle = interpret(
      fact('incident.graded', '2022-03-01T10:00:00Z', { grade: 'priority', area: 'rural' }),
      fact('incident.graded', '2022-03-01T10:05:00Z', { grade: 'emergency', area: 'urban' }),
      fact('incident.attended', '2022-03-01T10:12:00Z'),
      // After the officer arrived: too late to change what the attendance is judged against.
      fact('incident.graded', '2022-03-01T10:30:00Z', { grade: 'scheduled', area: 'rural' }),
    );
    expect(totals(lifecycle.contributions)).toEqual({
      '2022-03-01 incidents.graded emergency|urban': 1,
      '2022-03-01 incidents.attended_minutes emergency|urban|12': 1,
    });
    expect(lifecycle).toMatchObject({
      status: 'attended',
      startedAt: Date.parse('2022-03-01T10:00:00Z'),
      endedAt: Date.parse('2022-03-01T10:12:00Z'),
      flags: [],
    });
  });

  it('counts a regrading at the very instant of attendance as before it', () => {
    const lifecycle = interpret(
      fact('incident.graded', '2022-03-01T10:00:00Z', { grade: 'priority', area: 'urban' }),
      fact('incident.graded', '2022-03-01T10:20:00Z', { grade: 'emergency', area: 'urban' }),
      fact('incident.attended', '2022-03-01T10:20:00Z'),
    );
    expect(totals(lifecycle.contributions)['2022-03-01 incidents.attended_minutes emergency|urban|20']).toBe(1);
  });

  // Rounding up makes "within T minutes" exact for a whole-minute target T: ceil(x) <= T exactly
  // when x <= T. An arrival at 15:00.000 is within 15 minutes, one at 15:00.001 is not; rounding
  // down (or to the nearest) would count arrivals up to 15:59 (or 15:29) as within.
  it.each([
    ['2022-03-01T10:14:00.001Z', 15],
    ['2022-03-01T10:15:00.000Z', 15],
    ['2022-03-01T10:15:00.001Z', 16],
    ['2022-03-01T10:00:00.000Z', 0],
  ])('files an arrival at %s, 15 minutes after grading at the most, under minute %i', (attendedAt, minutes) => {
    const lifecycle = interpret(
      fact('incident.graded', '2022-03-01T10:00:00Z', { grade: 'emergency', area: 'urban' }),
      fact('incident.attended', attendedAt),
    );
    expect(totals(lifecycle.contributions)[`2022-03-01 incidents.attended_minutes emergency|urban|${minutes}`]).toBe(1);
  });

  it('counts an incident on the London day of its first grading, in BST', () => {
    // 23:50 UTC on 31 March 2022 is 00:50 BST on 1 April.
    const lifecycle = interpret(
      fact('incident.graded', '2022-03-31T23:50:00Z', { grade: 'emergency', area: 'rural' }),
      fact('incident.attended', '2022-04-01T01:09:00+01:00'),
    );
    expect(totals(lifecycle.contributions)).toEqual({
      '2022-04-01 incidents.graded emergency|rural': 1,
      '2022-04-01 incidents.attended_minutes emergency|rural|19': 1,
    });
  });

  it('ignores and flags an arrival timed before the first grading', () => {
    const lifecycle = interpret(
      fact('incident.graded', '2022-03-31T23:50:00Z', { grade: 'emergency', area: 'rural' }),
      fact('incident.attended', '2022-04-01T00:49:59+01:00'),
    );
    expect(lifecycle.status).toBe('awaiting attendance');
    expect(lifecycle.flags).toEqual(['incident.attended timed before incident.graded: ignored']);
  });

  it('caps an attendance time at a week, so that the dimension stays bounded', () => {
    const lifecycle = interpret(
      fact('incident.graded', '2022-03-01T10:00:00Z', { grade: 'scheduled', area: 'urban' }),
      fact('incident.attended', '2022-03-20T10:00:00Z'),
    );
    expect(totals(lifecycle.contributions)['2022-03-01 incidents.attended_minutes scheduled|urban|10080']).toBe(1);
  });

  it('counts only the earliest of two attendances and flags the other', () => {
    const lifecycle = interpret(
      fact('incident.graded', '2022-03-01T10:00:00Z', { grade: 'emergency', area: 'urban' }),
      fact('incident.attended', '2022-03-01T10:25:00Z', {}, 'second'),
      fact('incident.attended', '2022-03-01T10:11:30Z', {}, 'first'),
    );
    expect(totals(lifecycle.contributions)['2022-03-01 incidents.attended_minutes emergency|urban|12']).toBe(1);
    expect(lifecycle.flags).toEqual(['more than one incident.attended: the earliest counts, later ones are ignored']);
  });

  it('waits for a grading before counting an attendance that arrived first', () => {
    const lifecycle = interpret(fact('incident.attended', '2022-03-01T10:11:00Z'));
    expect(lifecycle).toMatchObject({
      status: 'pending',
      contributions: [],
      flags: ['awaiting incident.graded: nothing counted until it arrives'],
    });
  });

  it('counts an incident not attended under its latest grading, with the minutes it had left at the end of its day', () => {
    const lifecycle = interpret(
      fact('incident.graded', '2022-03-01T10:00:00Z', { grade: 'priority', area: 'rural' }),
      fact('incident.graded', '2022-03-01T10:40:00Z', { grade: 'emergency', area: 'rural' }),
    );
    // From the first grading at 10:00 to midnight: 14 hours.
    expect(totals(lifecycle.contributions)).toEqual({
      '2022-03-01 incidents.graded emergency|rural': 1,
      '2022-03-01 incidents.unattended emergency|rural': 1,
      '2022-03-01 incidents.unattended_at_day_end emergency|rural|840': 1,
      '2022-03-02 incidents.unattended_at_day_end emergency|rural|840': -1,
    });
    expect(lifecycle).toMatchObject({ status: 'awaiting attendance', endedAt: null });
  });

  // The as-at rule (measures.md: "attended or overdue"): graded at 23:55 with a 15-minute target,
  // an incident is not overdue at the end of its day. What it had left then is rounded up like an
  // attendance time, so 15 minutes left is "not yet due" against 15 and 15:00.001 is "overdue".
  it.each([
    ['2022-03-01T23:55:00Z', '2022-03-01', '2022-03-02', 5],
    ['2022-03-01T23:45:00Z', '2022-03-01', '2022-03-02', 15],
    ['2022-03-01T23:44:59.999Z', '2022-03-01', '2022-03-02', 16],
    // The London day, not the UTC one: 31 March 2022 23:50 UTC is 1 April 00:50 BST.
    ['2022-03-31T23:50:00Z', '2022-04-01', '2022-04-02', 1_390],
    // Midnight starting the 25-hour day of the autumn change has 1,500 minutes to go.
    ['2022-10-30T00:00:00+01:00', '2022-10-30', '2022-10-31', 1_500],
  ])(
    'keeps an incident graded at %s and not attended in the stock of %s only, with %s minutes left',
    (gradedAt, day, nextDay, minutesLeft) => {
      const sums = totals(
        interpret(fact('incident.graded', gradedAt, { grade: 'emergency', area: 'urban' })).contributions,
      );
      expect(sums).toEqual({
        [`${day} incidents.graded emergency|urban`]: 1,
        [`${day} incidents.unattended emergency|urban`]: 1,
        [`${day} incidents.unattended_at_day_end emergency|urban|${minutesLeft}`]: 1,
        [`${nextDay} incidents.unattended_at_day_end emergency|urban|${minutesLeft}`]: -1,
      });
    },
  );

  it('takes an incident out of the stock once its attendance arrives, however late', () => {
    const graded = fact('incident.graded', '2022-03-01T23:55:00Z', { grade: 'emergency', area: 'urban' });
    const lifecycle = interpret(graded, fact('incident.attended', '2022-03-02T00:09:00Z'));
    expect(totals(lifecycle.contributions)).toEqual({
      '2022-03-01 incidents.graded emergency|urban': 1,
      '2022-03-01 incidents.attended_minutes emergency|urban|14': 1,
    });
  });
});
