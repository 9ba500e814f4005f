import { METRIC } from '@rollcall/contract';
import type { MeasureDefinition } from '../measure-definition.ts';
import { derivedResult } from '../measure-results.ts';
import { relativeChangePercent } from '../statistics/relative-change.ts';
import { DVPO_CELLS } from './dvpo-counts.ts';
import { row } from './measure-input-of.ts';

export const dvpoApplicationsChange: MeasureDefinition = {
  id: 'dvpo.applications_change',
  title: 'Change in DVPO applications on the previous year',
  feed: 'dvpo',
  unit: 'percent-change',
  direction: 'neither',
  definition:
    "This financial year's DVPO applications (1 April to the as-of day) against the previous financial year's over the same span (1 April to the same day a year earlier; the whole year when the as-of day is 31 March). " +
    "Value: (this year − previous year) ÷ previous year × 100; numerator: this year's applications; denominator: the previous year's, so value = (numerator ÷ denominator − 1) × 100. " +
    'extra gives thisYear, previousYear and change, the difference as a count. No value ([z]) when the previous year had no applications. Financial-year period only.',
  source: 'Avon and Somerset DVPO applications: 284 in 2020/21, 258 in 2021/22.',
  periods: ['financial-year'],
  readsYearEarlier: true,
  example: {
    description: '258 applications in 2021/22 (to 31 March 2022), 284 in 2020/21.',
    aggregates: [row(METRIC.dvpoApplied, '', 258)],
    yearEarlier: [row(METRIC.dvpoApplied, '', 284)],
  },
  compute: ({ aggregates, yearEarlier }) => {
    const thisYear = aggregates.total(METRIC.dvpoApplied);
    const previousYear = yearEarlier.total(METRIC.dvpoApplied);
    return [
      derivedResult(
        relativeChangePercent(thisYear, previousYear),
        thisYear,
        previousYear,
        { [DVPO_CELLS.applied]: thisYear, [DVPO_CELLS.appliedYearEarlier]: previousYear },
        { extra: { thisYear, previousYear, change: thisYear - previousYear } },
      ),
    ];
  },
};
