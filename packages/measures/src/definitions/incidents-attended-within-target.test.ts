import { describe, expect, it } from 'vitest';
import { METRIC } from '@rollcall/contract';
import { incidentsAttendedWithinTarget } from './incidents-attended-within-target.ts';
import { measureInputOf, row } from './measure-input-of.ts';

const aggregates = [
  row(METRIC.incidentsAttendedMinutes, 'emergency|urban|15', 30),
  row(METRIC.incidentsAttendedMinutes, 'emergency|urban|16', 10),
  row(METRIC.incidentsUnattended, 'emergency|urban', 10),
  row(METRIC.incidentsAttendedMinutes, 'emergency|rural|20', 8),
  row(METRIC.incidentsAttendedMinutes, 'emergency|rural|16', 12),
  row(METRIC.incidentsAttendedMinutes, 'priority|rural|61', 5),
  row(METRIC.incidentsAttendedMinutes, 'scheduled|urban|300', 40),
  row(METRIC.incidentsUnattended, 'no-deployment|urban', 7),
];

describe('incidents.attended_within_target', () => {
  const results = incidentsAttendedWithinTarget.compute(measureInputOf({ aggregates }));
  const of = (grade: string, area: string) =>
    results.find((r) => r.breakdown?.grade === grade && r.breakdown.area === area);

  it('judges each grade and area against its own target, the target minute included', () => {
    expect(of('emergency', 'urban')).toMatchObject({ value: 60, numerator: 30, denominator: 50 });
    expect(of('emergency', 'rural')).toMatchObject({ value: 100, numerator: 20, denominator: 20 });
    expect(of('priority', 'rural')).toMatchObject({ value: 0, numerator: 0, denominator: 5 });
    expect(of('priority', 'urban')).toMatchObject({ value: null, numerator: 0, denominator: 0 });
  });

  it('counts incidents never attended as overdue, and leaves out grades without a target', () => {
    expect(results[0]).toMatchObject({ value: (50 / 75) * 100, numerator: 50, denominator: 75 });
    expect(results.map((r) => r.breakdown)).toEqual([
      undefined,
      { grade: 'emergency', area: 'urban' },
      { grade: 'emergency', area: 'rural' },
      { grade: 'priority', area: 'urban' },
      { grade: 'priority', area: 'rural' },
    ]);
  });

  it('follows the force settings: a 25-minute rural emergency target takes in the 20- and 16-minute arrivals, and a new grade gets its own rows', () => {
    const settings = {
      attendanceTargetMinutes: { emergency: { urban: 15, rural: 25 }, scheduled: { urban: 300, rural: 300 } },
    };
    const custom = incidentsAttendedWithinTarget.compute(measureInputOf({ aggregates, settings }));
    expect(custom.find((r) => r.breakdown?.grade === 'scheduled' && r.breakdown.area === 'urban')).toMatchObject({
      value: 100,
      numerator: 40,
      denominator: 40,
    });
    expect(custom.some((r) => r.breakdown?.grade === 'priority')).toBe(false);
  });

  it('gives per grade and area cells that add up to the headline cells', () => {
    const parts = results.slice(1).flatMap((r) => Object.entries(r.cells));
    const sum = (prefix: string) => parts.filter(([id]) => id.startsWith(prefix)).reduce((s, [, n]) => s + n, 0);
    expect(sum('incidents.due.')).toBe(results[0]!.cells['incidents.due']);
    expect(sum('incidents.within_target.')).toBe(results[0]!.cells['incidents.within_target']);
  });

  it('leaves out an incident not attended while its target had not passed by the end of the period, the target minute included', () => {
    // Graded 15, 16 and 4 minutes before the end of the period (the last two rural), none attended.
    const asAtEnd = [
      row(METRIC.incidentsUnattendedAtDayEnd, 'emergency|urban|15', 1),
      row(METRIC.incidentsUnattendedAtDayEnd, 'emergency|urban|16', 1),
      row(METRIC.incidentsUnattendedAtDayEnd, 'emergency|rural|4', 1),
    ];
    const lastDay = [
      ...aggregates,
      row(METRIC.incidentsUnattended, 'emergency|urban', 2),
      row(METRIC.incidentsUnattended, 'emergency|rural', 1),
    ];
    const judged = incidentsAttendedWithinTarget.compute(measureInputOf({ aggregates: lastDay, asAtEnd }));
    const cell = (grade: string, area: string) =>
      judged.find((r) => r.breakdown?.grade === grade && r.breakdown.area === area);
    // Urban: the one with 16 minutes left was overdue at the end, the one with exactly 15 was not.
    expect(cell('emergency', 'urban')).toMatchObject({ numerator: 30, denominator: 51 });
    expect(cell('emergency', 'rural')).toMatchObject({ numerator: 20, denominator: 20 });
    expect(judged[0]).toMatchObject({ numerator: 50, denominator: 76 });
    // A force whose rural target is 3 minutes: the rural incident with 4 minutes left was overdue.
    const settings = { attendanceTargetMinutes: { emergency: { urban: 15, rural: 3 } } };
    const strict = incidentsAttendedWithinTarget.compute(measureInputOf({ aggregates: lastDay, asAtEnd, settings }));
    expect(strict.find((r) => r.breakdown?.area === 'rural')).toMatchObject({ numerator: 0, denominator: 21 });
  });
});
