import { METRIC } from '@rollcall/contract';
import type { MeasureDefinition, MeasureResult } from '../measure-definition.ts';
import { derivedResult } from '../measure-results.ts';
import { FLOW_PERIOD_KINDS } from '../periods.ts';
import { medianOfCounts, type ValueCount } from '../statistics/quantile-of-counts.ts';
import { row } from './measure-input-of.ts';
import { WANTED_CELLS, wantedOpenRows } from './wanted-on-pnc-over-6-months.ts';

export const wantedMedianDaysToArrest: MeasureDefinition = {
  id: 'wanted.median_days_to_arrest',
  title: 'Median days from circulation to arrest',
  feed: 'wanted-persons',
  unit: 'days',
  direction: 'lower-is-better',
  definition:
    'Circulations closed by wanted.arrested in the period (by arrest day): the median number of London calendar days from the day of circulation to the day of arrest ' +
    '(an arrest on the day of circulation is 0 days; with an even number of arrests, the mean of the two middle values). Overall and per team. ' +
    'Numerator: none (a median is not a ratio); denominator: the arrests it is taken over. Published with extra.openAtPeriodEnd, the circulations (of the team) still open as at the end of the period: ' +
    'they are right-censored, their time to arrest is not known yet, so a short median beside many long-open circulations is not read as quick arrests. Cancelled circulations are in neither figure.',
  source: '"median time ... ranged from 41 days to 156 days, depending on the team" (HMICFRS PEEL).',
  periods: FLOW_PERIOD_KINDS,
  breakdowns: ['team'],
  additiveGroups: [
    { total: WANTED_CELLS.arrested, partsPrefix: WANTED_CELLS.arrestedTeamPrefix },
    { total: WANTED_CELLS.open, partsPrefix: WANTED_CELLS.openTeamPrefix },
  ],
  example: {
    description:
      'Arrests in the period: team North 3 (after 10, 41 and 300 days), team South 2 (after 120 and 192 days); as at the end of the period 40 North and 25 South circulations are still open.',
    aggregates: [
      row(METRIC.wantedDaysToArrest, 'North|10', 1),
      row(METRIC.wantedDaysToArrest, 'North|41', 1),
      row(METRIC.wantedDaysToArrest, 'North|300', 1),
      row(METRIC.wantedDaysToArrest, 'South|120', 1),
      row(METRIC.wantedDaysToArrest, 'South|192', 1),
    ],
    asAtEnd: wantedOpenRows({ 'North|high|-': 10, 'North|low|-': 30, 'South|medium|-': 25 }),
  },
  compute: ({ aggregates, asAtEnd }) => {
    const daysByTeam = new Map<string, ValueCount[]>();
    for (const [dim, count] of aggregates.dims(METRIC.wantedDaysToArrest)) {
      const [team = '', days = ''] = dim.split('|');
      if (count === 0) continue;
      daysByTeam.set(team, [...(daysByTeam.get(team) ?? []), { value: Number(days), count }]);
    }
    const openByTeam = new Map([...asAtEnd.groupBy(METRIC.wantedOpen, 0)].filter(([, open]) => open !== 0));
    const teams = [...new Set([...daysByTeam.keys(), ...openByTeam.keys()])].sort();

    const resultOf = (
      days: readonly ValueCount[],
      open: number,
      cells: { arrested: string; open: string },
      breakdown?: { team: string },
    ): MeasureResult => {
      const arrested = days.reduce((sum, { count }) => sum + count, 0);
      return derivedResult(
        medianOfCounts(days),
        null,
        arrested,
        { [cells.arrested]: arrested, [cells.open]: open },
        { ...(breakdown && { breakdown }), extra: { openAtPeriodEnd: open } },
      );
    };
    return [
      resultOf([...daysByTeam.values()].flat(), asAtEnd.total(METRIC.wantedOpen), {
        arrested: WANTED_CELLS.arrested,
        open: WANTED_CELLS.open,
      }),
      ...teams.map((team) =>
        resultOf(
          daysByTeam.get(team) ?? [],
          openByTeam.get(team) ?? 0,
          { arrested: `${WANTED_CELLS.arrestedTeamPrefix}${team}`, open: `${WANTED_CELLS.openTeamPrefix}${team}` },
          { team },
        ),
      ),
    ];
  },
};
