import { METRIC } from '../daily-metrics.ts';
import type { MeasureDefinition } from '../measure-definition.ts';
import { percentResult } from '../measure-results.ts';

export const WANTED_CELLS = {
  open: 'wanted.open',
  openOver6Months: 'wanted.open.over_6_months',
} as const;

export const wantedOnPncOver6Months: MeasureDefinition = {
  id: 'wanted.on_pnc_over_6_months',
  title: 'Wanted persons on PNC for more than 6 months',
  feed: 'wanted-persons',
  unit: 'percent',
  direction: 'lower-is-better',
  definition:
    'As at the end of the as-of day (London): open circulations whose circulation time is more than 6 calendar months before that instant ÷ all open circulations. A circulation is open at an instant if it was circulated before it and not arrested or cancelled before it, judged on event time.',
  source: '69% as of 1 March 2022, up 14 percentage points on 12 October 2020 (HMICFRS PEEL 2021/22).',
  periods: ['as-at'],
  comparison: { scale: 100 },
  compute: ({ aggregates }) => [
    percentResult(
      aggregates.total(METRIC.wantedOpenOver6Months),
      aggregates.total(METRIC.wantedOpen),
      { numerator: WANTED_CELLS.openOver6Months, denominator: WANTED_CELLS.open },
      { ci: false },
    ),
  ],
};
