import { METRIC } from '../daily-metrics.ts';
import type { MeasureDefinition } from '../measure-definition.ts';
import { countResult } from '../measure-results.ts';
import { FLOW_PERIOD_KINDS } from '../periods.ts';

export const DVPO_CELLS = {
  applied: 'dvpo.applied',
  decided: 'dvpo.decided',
  decidedPrefix: 'dvpo.decided.',
  granted: 'dvpo.decided.granted',
} as const;

const SOURCE_2018_19 =
  'Avon and Somerset, 12 months to March 2019: 248 DVPOs applied for, 232 granted, 28 breached; 253 DVPNs, 14 breached (HMICFRS PEEL 2018/19).';

export const dvpoApplied: MeasureDefinition = {
  id: 'dvpo.applied',
  title: 'DVPO applications',
  feed: 'dvpo',
  unit: 'count',
  direction: 'neither',
  definition: 'Domestic violence protection orders applied for at court, counted on the day of dvpo.applied.',
  source: `${SOURCE_2018_19} Applications: 284 in 2020/21, 258 in 2021/22.`,
  periods: FLOW_PERIOD_KINDS,
  compute: ({ aggregates }) => [countResult(aggregates.total(METRIC.dvpoApplied), DVPO_CELLS.applied)],
};

export const dvpoGranted: MeasureDefinition = {
  id: 'dvpo.granted',
  title: 'DVPOs granted',
  feed: 'dvpo',
  unit: 'count',
  direction: 'neither',
  definition: 'Orders granted by the court, counted on the day of the decision (a decision needs an earlier application).',
  source: SOURCE_2018_19,
  periods: FLOW_PERIOD_KINDS,
  additiveGroups: [{ total: DVPO_CELLS.decided, partsPrefix: DVPO_CELLS.decidedPrefix }],
  compute: ({ aggregates }) => [countResult(aggregates.get(METRIC.dvpoDecided, 'granted'), DVPO_CELLS.granted)],
};
