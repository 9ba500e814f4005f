import { METRIC } from '@rollcall/contract';
import type { MeasureDefinition } from '../measure-definition.ts';
import { FLOW_PERIOD_KINDS } from '../periods.ts';
import { row } from './measure-input-of.ts';
import { shareResult } from './share-result.ts';

export const PROTECTION_CELLS = {
  crimes: 'domestic_abuse.crimes',
  considerationRecorded: 'domestic_abuse.consideration_recorded',
} as const;

export const protectionConsideredRecordedRate: MeasureDefinition = {
  id: 'protection.considered_recorded_rate',
  title: 'Domestic-abuse crimes recording whether a DVPN/DVPO was considered',
  feed: 'dvpo',
  unit: 'percent',
  direction: 'higher-is-better',
  definition:
    'Domestic-abuse crimes recorded in the period (by the day of domestic-abuse.crime-recorded) with a protection.considered event, whether it says considered or not considered ÷ domestic-abuse crimes recorded in the period. ' +
    'The measure is whether the consideration was recorded, not what was decided; a crime without the event counts as not recorded.',
  source: '"didn\'t routinely record whether notices and orders were considered" (HMICFRS PEEL).',
  periods: FLOW_PERIOD_KINDS,
  comparison: { scale: 100 },
  example: {
    description:
      '1,200 domestic-abuse crimes recorded; for 700 a consideration was recorded (150 considered, 550 not considered).',
    aggregates: [
      row(METRIC.domesticAbuseCrimes, '', 1_200),
      row(METRIC.domesticAbuseProtectionConsidered, 'true', 150),
      row(METRIC.domesticAbuseProtectionConsidered, 'false', 550),
    ],
  },
  compute: ({ aggregates }) => [
    shareResult(
      aggregates.total(METRIC.domesticAbuseProtectionConsidered),
      aggregates.total(METRIC.domesticAbuseCrimes),
      {
        numerator: PROTECTION_CELLS.considerationRecorded,
        denominator: PROTECTION_CELLS.crimes,
      },
    ),
  ],
};
