import { METRIC } from '@rollcall/contract';
import type { MeasureDefinition } from '../measure-definition.ts';
import { countResult } from '../measure-results.ts';
import { FLOW_PERIOD_KINDS } from '../periods.ts';
import { row } from './measure-input-of.ts';

/** Cell ids of the protection counts; the decisions by outcome add up to `decided`. */
export const DVPO_CELLS = {
  dvpnAuthorised: 'dvpn.authorised',
  dvpnBreached: 'dvpn.breached',
  applied: 'dvpo.applied',
  appliedYearEarlier: 'dvpo.applied.year_earlier',
  decided: 'dvpo.decided',
  decidedPrefix: 'dvpo.decided.',
  granted: 'dvpo.decided.granted',
  breached: 'dvpo.breached',
} as const;

const SOURCE_2018_19 =
  'Avon and Somerset, 12 months to March 2019: 248 DVPOs applied for, 232 granted, 28 breached; 253 DVPNs, 14 breached (HMICFRS PEEL 2018/19).';

/** The 2018/19 year as aggregates: the example every count documents. */
const example = {
  description:
    'Financial year 2018/19: 253 DVPNs authorised, 14 breached; 248 DVPOs applied for; 245 decisions (232 granted, 8 refused, 5 withdrawn); 28 breaches of granted orders.',
  aggregates: [
    row(METRIC.dvpnAuthorised, '', 253),
    row(METRIC.dvpnBreached, '', 14),
    row(METRIC.dvpoApplied, '', 248),
    row(METRIC.dvpoDecided, 'granted', 232),
    row(METRIC.dvpoDecided, 'refused', 8),
    row(METRIC.dvpoDecided, 'withdrawn', 5),
    row(METRIC.dvpoBreached, '', 28),
  ],
};

export const dvpnAuthorised: MeasureDefinition = {
  id: 'dvpn.authorised',
  title: 'DVPNs authorised',
  feed: 'dvpo',
  unit: 'count',
  direction: 'neither',
  definition:
    'Domestic violence protection notices authorised by a superintendent, counted on the day of dvpn.authorised (one per case).',
  source: SOURCE_2018_19,
  periods: FLOW_PERIOD_KINDS,
  example,
  compute: ({ aggregates }) => [countResult(aggregates.total(METRIC.dvpnAuthorised), DVPO_CELLS.dvpnAuthorised)],
};

export const dvpnBreached: MeasureDefinition = {
  id: 'dvpn.breached',
  title: 'DVPN breaches',
  feed: 'dvpo',
  unit: 'count',
  direction: 'neither',
  definition:
    'Breaches of an authorised DVPN, counted on the day of each dvpn.breached (one event per breach, so a notice breached twice counts twice). A breach with no earlier authorisation of its case is not counted.',
  source: SOURCE_2018_19,
  periods: FLOW_PERIOD_KINDS,
  example,
  compute: ({ aggregates }) => [countResult(aggregates.total(METRIC.dvpnBreached), DVPO_CELLS.dvpnBreached)],
};

export const dvpoApplied: MeasureDefinition = {
  id: 'dvpo.applied',
  title: 'DVPO applications',
  feed: 'dvpo',
  unit: 'count',
  direction: 'neither',
  definition:
    'Domestic violence protection orders applied for at court, counted on the day of dvpo.applied (one per case).',
  source: `${SOURCE_2018_19} Applications: 284 in 2020/21, 258 in 2021/22.`,
  periods: FLOW_PERIOD_KINDS,
  example,
  compute: ({ aggregates }) => [countResult(aggregates.total(METRIC.dvpoApplied), DVPO_CELLS.applied)],
};

export const dvpoGranted: MeasureDefinition = {
  id: 'dvpo.granted',
  title: 'DVPOs granted',
  feed: 'dvpo',
  unit: 'count',
  direction: 'neither',
  definition:
    'Orders granted by the court, counted on the day of the decision, whenever the application was made (a decision needs an earlier application of its case; the first decision counts).',
  source: SOURCE_2018_19,
  periods: FLOW_PERIOD_KINDS,
  additiveGroups: [{ total: DVPO_CELLS.decided, partsPrefix: DVPO_CELLS.decidedPrefix }],
  example,
  compute: ({ aggregates }) => [countResult(aggregates.get(METRIC.dvpoDecided, 'granted'), DVPO_CELLS.granted)],
};

export const dvpoBreached: MeasureDefinition = {
  id: 'dvpo.breached',
  title: 'DVPO breaches',
  feed: 'dvpo',
  unit: 'count',
  direction: 'neither',
  definition:
    'Breaches of a granted DVPO, counted on the day of each dvpo.breached (one event per breach). A breach before the order was granted, or of an order not granted, is not counted.',
  source: SOURCE_2018_19,
  periods: FLOW_PERIOD_KINDS,
  example,
  compute: ({ aggregates }) => [countResult(aggregates.total(METRIC.dvpoBreached), DVPO_CELLS.breached)],
};

/** The notice and order counts, in the order HMICFRS reports them. */
export const dvpoCounts: readonly MeasureDefinition[] = [
  dvpnAuthorised,
  dvpnBreached,
  dvpoApplied,
  dvpoGranted,
  dvpoBreached,
];
