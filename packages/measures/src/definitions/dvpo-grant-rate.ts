import { METRIC } from '@rollcall/contract';
import type { MeasureDefinition } from '../measure-definition.ts';
import { FLOW_PERIOD_KINDS } from '../periods.ts';
import { DVPO_CELLS } from './dvpo-counts.ts';
import { row } from './measure-input-of.ts';
import { shareResult } from './share-result.ts';

/** The court's outcomes (feeds.md); a decision with another outcome would still count as decided. */
const OUTCOMES = ['granted', 'refused', 'withdrawn'] as const;

export const dvpoGrantRate: MeasureDefinition = {
  id: 'dvpo.grant_rate',
  title: 'DVPO applications granted',
  feed: 'dvpo',
  unit: 'percent',
  direction: 'higher-is-better',
  definition:
    'Court decisions in the period (by decision day) that granted the order ÷ all court decisions in the period (granted, refused or withdrawn). ' +
    'Decisions, not applications, so an application made in March and decided in April counts in April.',
  source: '248 applied, 232 granted in the 12 months to March 2019 (HMICFRS PEEL 2018/19).',
  periods: FLOW_PERIOD_KINDS,
  comparison: { scale: 100 },
  additiveGroups: [{ total: DVPO_CELLS.decided, partsPrefix: DVPO_CELLS.decidedPrefix }],
  example: {
    description: '245 decisions in the year: 232 granted, 8 refused, 5 withdrawn.',
    aggregates: [
      row(METRIC.dvpoDecided, 'granted', 232),
      row(METRIC.dvpoDecided, 'refused', 8),
      row(METRIC.dvpoDecided, 'withdrawn', 5),
    ],
  },
  compute: ({ aggregates }) => {
    // Every outcome is a cell: decided − granted would otherwise give away a small refused count.
    const byOutcome = Object.fromEntries(
      [...new Set([...OUTCOMES, ...aggregates.dims(METRIC.dvpoDecided).keys()])].map((outcome) => [
        `${DVPO_CELLS.decidedPrefix}${outcome}`,
        aggregates.get(METRIC.dvpoDecided, outcome),
      ]),
    );
    return [
      shareResult(
        aggregates.get(METRIC.dvpoDecided, 'granted'),
        aggregates.total(METRIC.dvpoDecided),
        { numerator: DVPO_CELLS.granted, denominator: DVPO_CELLS.decided },
        { extraCells: byOutcome },
      ),
    ];
  },
};
