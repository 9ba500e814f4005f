import { METRIC } from '@rollcall/contract';
import type { MeasureDefinition } from '../measure-definition.ts';
import { row } from './measure-input-of.ts';
import { shareResult } from './share-result.ts';

/**
 * Cell ids of the wanted-persons counts. Open counts are as at the end of a period (the as-of
 * day for every standard period), the same figure wherever a period publishes it; per team they
 * add up to `open`.
 */
export const WANTED_CELLS = {
  open: 'wanted.open',
  openOver6Months: 'wanted.open.over_6_months',
  openHighRisk: 'wanted.open.high_risk',
  openTeamPrefix: 'wanted.open.team.',
  arrested: 'wanted.arrested',
  arrestedTeamPrefix: 'wanted.arrested.team.',
} as const;

/** Rows of the open-circulation stock as at a day: `team|risk|top20` → count. */
export const wantedOpenRows = (cells: Readonly<Record<string, number>>) =>
  Object.entries(cells).map(([dim, count]) => row(METRIC.wantedOpen, dim, count));

export const wantedOnPncOver6Months: MeasureDefinition = {
  id: 'wanted.on_pnc_over_6_months',
  title: 'Wanted persons on PNC for more than 6 months',
  feed: 'wanted-persons',
  unit: 'percent',
  direction: 'lower-is-better',
  definition:
    'As at the end of the as-of day (London): open circulations whose circulation time is more than 6 calendar months before that instant ÷ all open circulations. ' +
    'A circulation is open at an instant if it was circulated before it and not arrested or cancelled before it, judged on event time (events that arrive later but happened earlier count). ' +
    '"6 calendar months before" the end of 1 March 2022 is the start of 2 September 2021: a circulation made on 1 September 2021 or earlier counts.',
  source: '69% as of 1 March 2022, up 14 percentage points on 12 October 2020 (HMICFRS PEEL 2021/22).',
  periods: ['as-at'],
  comparison: { scale: 100 },
  example: {
    description:
      'As at the end of 1 March 2022: 2,542 circulations open, 1,754 of them circulated on or before 1 September 2021.',
    aggregates: [
      ...wantedOpenRows({ 'North|high|-': 472, 'North|medium|-': 1_070, 'South|low|-': 1_000 }),
      row(METRIC.wantedOpenOver6Months, '', 1_754),
    ],
  },
  compute: ({ aggregates }) => [
    shareResult(aggregates.total(METRIC.wantedOpenOver6Months), aggregates.total(METRIC.wantedOpen), {
      numerator: WANTED_CELLS.openOver6Months,
      denominator: WANTED_CELLS.open,
    }),
  ],
};
