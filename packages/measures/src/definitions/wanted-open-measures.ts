import { METRIC } from '@rollcall/contract';
import type { MeasureDefinition } from '../measure-definition.ts';
import { countResult } from '../measure-results.ts';
import { restOf, withImplied } from './share-result.ts';
import { WANTED_CELLS, wantedOpenRows } from './wanted-on-pnc-over-6-months.ts';

const SOURCE =
  '"approximately 2,542 wanted persons with 472 of these being high risk" (HMICFRS PEEL 2021/22, as at 1 March 2022).';

const example = {
  description:
    'As at the end of the day: 2,542 circulations open in two teams; 472 of them currently high risk, 20 of those among the top 20 wanted.',
  aggregates: wantedOpenRows({
    'North|high|top20': 20,
    'North|high|-': 300,
    'South|high|-': 152,
    'North|medium|-': 1_070,
    'South|low|-': 1_000,
  }),
};

export const wantedOpen: MeasureDefinition = {
  id: 'wanted.open',
  title: 'Wanted persons: open circulations',
  feed: 'wanted-persons',
  unit: 'count',
  direction: 'neither',
  definition:
    'As at the end of the as-of day (London): circulations open at that instant, i.e. circulated before it and not arrested or cancelled before it, judged on event time. ' +
    'Each circulation counts once, even when one person is circulated more than once.',
  source: SOURCE,
  periods: ['as-at'],
  example,
  compute: ({ aggregates }) => [countResult(aggregates.total(METRIC.wantedOpen), WANTED_CELLS.open)],
};

export const wantedOpenHighRisk: MeasureDefinition = {
  id: 'wanted.open_high_risk',
  title: 'Wanted persons: open circulations at high risk',
  feed: 'wanted-persons',
  unit: 'count',
  direction: 'neither',
  definition:
    'As at the end of the as-of day (London): open circulations (as for wanted.open) whose current risk is high: the risk of the latest wanted.risk-changed on or before that day, or the risk at circulation if none.',
  source: SOURCE,
  periods: ['as-at'],
  example,
  compute: ({ aggregates }) => {
    const highRisk = aggregates.sumWhere(METRIC.wantedOpen, ([, risk]) => risk === 'high');
    // Beside wanted.open, the count gives away the circulations not at high risk.
    return [
      withImplied(
        countResult(highRisk, WANTED_CELLS.openHighRisk),
        restOf(
          { cell: WANTED_CELLS.openHighRisk, count: highRisk },
          { cell: WANTED_CELLS.open, count: aggregates.total(METRIC.wantedOpen) },
        ),
      ),
    ];
  },
};

/** Open circulations as at the end of the as-of day, and those at high risk. */
export const wantedOpenMeasures: readonly MeasureDefinition[] = [wantedOpen, wantedOpenHighRisk];
