import { METRIC } from '@rollcall/contract';
import type { MeasureDefinition, MeasureDirection } from '../measure-definition.ts';
import { FLOW_PERIOD_KINDS } from '../periods.ts';
import { CALLS_999_CELLS, CALLS_999_EXAMPLE } from './calls-999-answered-within-10s.ts';
import { shareResult } from './share-result.ts';

interface Band {
  readonly key: 'under_10s' | '10_to_under_60s' | '60s_or_more';
  readonly title: string;
  readonly words: string;
  readonly direction: MeasureDirection;
  /** Lower and upper bound (exclusive) in seconds; both are time-bin edges, so counts are exact. */
  readonly from: number;
  readonly below: number;
  readonly cell: string;
}

const BANDS: readonly Band[] = [
  {
    key: 'under_10s',
    title: 'under 10 seconds',
    words: 'under 10 s',
    direction: 'higher-is-better',
    from: 0,
    below: 10,
    cell: CALLS_999_CELLS.under10s,
  },
  {
    key: '10_to_under_60s',
    title: '10 to under 60 seconds',
    words: 'from 10 s to under 60 s',
    direction: 'neither',
    from: 10,
    below: 60,
    cell: CALLS_999_CELLS.from10sToUnder60s,
  },
  {
    key: '60s_or_more',
    title: '60 seconds or more',
    words: '60 s or more',
    direction: 'lower-is-better',
    from: 60,
    below: Number.POSITIVE_INFINITY,
    cell: CALLS_999_CELLS.atLeast60s,
  },
];

const bandDefinition = (band: Band): MeasureDefinition => ({
  id: `calls.999.band.${band.key}`,
  title: `999 calls answered in ${band.title}`,
  feed: 'call-handling',
  unit: 'percent',
  direction: band.direction,
  definition:
    `The police.uk answering-time band "${band.title}": of 999 calls presented in the period and answered, those whose answering time ` +
    `(btTransferSeconds + answered − presented) is ${band.words}. Value: their share of the calls answered, in percent; numerator: the count ` +
    '(as police.uk publishes it); denominator: 999 calls answered. The three bands add up to the calls answered.',
  source:
    'police.uk publishes per force per month: calls answered, the three answering-time bands and the mean answer time.',
  periods: FLOW_PERIOD_KINDS,
  additiveGroups: [{ total: CALLS_999_CELLS.answered, partsPrefix: CALLS_999_CELLS.bandPrefix }],
  example: CALLS_999_EXAMPLE,
  compute: ({ aggregates }) => {
    const answered = aggregates.total(METRIC.calls999Answered);
    const count = aggregates.sumWhere(
      METRIC.calls999AnswerTimeBins,
      ([bin]) => Number(bin) >= band.from && Number(bin) < band.below,
    );
    return [shareResult(count, answered, { numerator: band.cell, denominator: CALLS_999_CELLS.answered })];
  },
});

/** The three police.uk 999 answering-time bands, in band order. */
export const calls999AnswerBands: readonly MeasureDefinition[] = BANDS.map(bandDefinition);
