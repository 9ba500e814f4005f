import type { Aggregates } from '../aggregates.ts';
import { METRIC } from '@rollcall/contract';
import type { MeasureDefinition, MeasureSettings } from '../measure-definition.ts';
import { FLOW_PERIOD_KINDS } from '../periods.ts';
import { isTimeBinEdge, timeBinUpper } from '@rollcall/contract';
import { CALLS_999_CELLS } from './calls-999-answered-within-10s.ts';
import { row } from './measure-input-of.ts';
import { restOf, shareResult, withImplied } from './share-result.ts';

export const CALLS_101_CELLS = {
  presented: 'calls.101.presented',
  answered: 'calls.101.answered',
  transferred: 'calls.101.transferred',
  /** Abandoned after at least the force's minimum wait, on any queue. */
  abandoned: 'calls.101.abandoned',
  abandonedSecondary: 'calls.101.abandoned_on_secondary',
  /** Implied: all abandoned minus those on the secondary queue, which the two rates publish. */
  abandonedPrimary: 'calls.101.abandoned_on_primary',
} as const;

/**
 * 101 calls abandoned after waiting at least the force's `abandonMinWaitSeconds`, on the given
 * queue (or any). Waits are binned from presentation; a threshold on a bin edge (every whole
 * second below 2 minutes) splits the counts exactly. Otherwise the bin holding the threshold is
 * left out (an undercount of at most that bin) and a note says so.
 */
export function abandoned101(aggregates: Aggregates, settings: MeasureSettings, queue?: 'primary' | 'secondary') {
  const threshold = settings.abandonMinWaitSeconds;
  const count = aggregates.sumWhere(
    METRIC.calls101AbandonedWaitBins,
    ([binQueue, bin]) => (queue === undefined || binQueue === queue) && Number(bin) >= threshold,
  );
  const straddled = [...aggregates.dims(METRIC.calls101AbandonedWaitBins)].some(([dim, n]) => {
    const lower = Number(dim.split('|')[1]);
    return n > 0 && lower < threshold && timeBinUpper(lower) > threshold;
  });
  const notes =
    !isTimeBinEdge(threshold) && straddled
      ? [`abandonMinWaitSeconds ${threshold} is not a time-bin edge: abandonments in the bin holding it are left out`]
      : undefined;
  return { count, notes };
}

const MIN_WAIT_RULE =
  'A call counts as abandoned when the caller hung up after waiting at least the force setting abandonMinWaitSeconds, timed from presentation ' +
  '(default 0, so every abandonment; Avon and Somerset uses 60 s, as its own figures do). Waits are counted in time bins, so the threshold is exact when it is a bin edge (every whole second below 2 minutes).';

export const calls999AbandonedRate: MeasureDefinition = {
  id: 'calls.999.abandoned_rate',
  title: '999 calls abandoned',
  feed: 'call-handling',
  unit: 'percent',
  direction: 'lower-is-better',
  definition:
    '999 calls presented in the period that were abandoned (the caller hung up before answer) ÷ 999 calls presented in the period.',
  source: '',
  periods: FLOW_PERIOD_KINDS,
  comparison: { scale: 100 },
  example: {
    description: '2,000 999 calls presented, 30 of them abandoned.',
    aggregates: [row(METRIC.callsPresented, '999', 2_000), row(METRIC.calls999Abandoned, '', 30)],
  },
  compute: ({ aggregates }) => [
    shareResult(aggregates.total(METRIC.calls999Abandoned), aggregates.get(METRIC.callsPresented, '999'), {
      numerator: CALLS_999_CELLS.abandoned,
      denominator: CALLS_999_CELLS.presented,
    }),
  ],
};

const abandoned101Example = {
  description:
    '1,000 101 calls presented, 200 of them transferred to the secondary queue. Abandoned: 60 on the primary queue (20 after waiting under 60 s, 40 after 60 s or more) and 50 on the secondary queue (all after 60 s or more); Avon and Somerset counts only abandonments after 60 s.',
  settings: { abandonMinWaitSeconds: 60 },
  aggregates: [
    row(METRIC.callsPresented, '101', 1_000),
    row(METRIC.calls101Transferred, '', 200),
    row(METRIC.calls101AbandonedWaitBins, 'primary|30', 20),
    row(METRIC.calls101AbandonedWaitBins, 'primary|60', 15),
    row(METRIC.calls101AbandonedWaitBins, 'primary|300', 25),
    row(METRIC.calls101AbandonedWaitBins, 'secondary|600', 50),
  ],
};

export const calls101AbandonedRate: MeasureDefinition = {
  id: 'calls.101.abandoned_rate',
  title: '101 calls abandoned',
  feed: 'call-handling',
  unit: 'percent',
  direction: 'lower-is-better',
  definition:
    `101 calls presented in the period and abandoned (on either queue) ÷ 101 calls presented in the period. ${MIN_WAIT_RULE} ` +
    'Benchmark: below the force setting calls101AbandonedRateBenchmark (5%). Not compared across forces, since forces count abandonment from different minimum waits.',
  source: '"high abandonment rates on the non-emergency, secondary queue for 101 calls" (HMICFRS PEEL).',
  periods: FLOW_PERIOD_KINDS,
  target: (settings) => ({
    value: settings.calls101AbandonedRateBenchmark * 100,
    rule: 'below',
    source: 'benchmark: under 5% of 101 calls abandoned',
  }),
  example: abandoned101Example,
  compute: ({ aggregates, settings }) => {
    const { count, notes } = abandoned101(aggregates, settings);
    const secondary = abandoned101(aggregates, settings, 'secondary').count;
    // Published beside the secondary queue's rate, the headline gives the primary queue's count
    // away by subtraction (50 overall, 47 on the secondary queue: 3 on the primary).
    const result = withImplied(
      shareResult(count, aggregates.get(METRIC.callsPresented, '101'), {
        numerator: CALLS_101_CELLS.abandoned,
        denominator: CALLS_101_CELLS.presented,
      }),
      restOf(
        { cell: CALLS_101_CELLS.abandonedSecondary, count: secondary },
        { cell: CALLS_101_CELLS.abandoned, count },
        CALLS_101_CELLS.abandonedPrimary,
      ),
    );
    return [notes ? { ...result, notes } : result];
  },
};

export const calls101SecondaryAbandonedRate: MeasureDefinition = {
  id: 'calls.101.secondary_abandoned_rate',
  title: '101 calls abandoned on the secondary queue',
  feed: 'call-handling',
  unit: 'percent',
  direction: 'lower-is-better',
  definition:
    '101 calls presented in the period and abandoned on the secondary queue (transferred to it before the abandonment) ÷ 101 calls presented in the period and transferred to the secondary queue. ' +
    `${MIN_WAIT_RULE} The wait is the caller's whole wait, from presentation, as for the headline rate, so this numerator is part of the headline numerator.`,
  source: '"high abandonment rates on the non-emergency, secondary queue for 101 calls" (HMICFRS PEEL).',
  periods: FLOW_PERIOD_KINDS,
  example: abandoned101Example,
  compute: ({ aggregates, settings }) => {
    const { count, notes } = abandoned101(aggregates, settings, 'secondary');
    const result = shareResult(count, aggregates.total(METRIC.calls101Transferred), {
      numerator: CALLS_101_CELLS.abandonedSecondary,
      denominator: CALLS_101_CELLS.transferred,
    });
    return [notes ? { ...result, notes } : result];
  },
};

/** Abandonment of 999 calls, of 101 calls, and of 101 calls on the secondary queue. */
export const callsAbandonmentMeasures: readonly MeasureDefinition[] = [
  calls999AbandonedRate,
  calls101AbandonedRate,
  calls101SecondaryAbandonedRate,
];
