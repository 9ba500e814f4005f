import { monthsBetween } from '@rollcall/calendar';
import { describe, expect, it } from 'vitest';
import type { ComputedMeasure } from './compute-snapshot-measures.ts';
import { METRIC } from '@rollcall/contract';
import { calls999AnswerBands } from './definitions/calls-999-answer-bands.ts';
import { calls999AnsweredWithin10s, calls999Rows } from './definitions/calls-999-answered-within-10s.ts';
import type { DailyRow } from './definitions/measure-input-of.ts';
import { entryOf, type ForceDays, snapshotEntriesOf } from './definitions/snapshot-entries-of.ts';
import { stopsearchCount } from './definitions/stopsearch-count.ts';
import { stopsearchRatePer1000 } from './definitions/stopsearch-rate-per-1000.ts';
import { applyDisclosureControl, DEFAULT_DISCLOSURE_RULE, TREND_WITHHELD_NOTE } from './disclosure-control.ts';
import { shapiroWilk } from './statistics/shapiro-wilk.ts';

const ASOF = '2022-03-31';
const MSG = ['derbyshire', 'essex', 'hampshire', 'hertfordshire', 'kent', 'staffordshire', 'sussex'] as const;
const SEARCH_MEASURES = [stopsearchCount, stopsearchRatePer1000];

/** A force with `searches` on 15 March 2022 and `residents` (the other census groups are irrelevant here). */
const searchForce = (searches: number, residents: number, monthsWithData?: readonly string[]): ForceDays => ({
  daily: [{ day: '2022-03-15', metric: METRIC.searches, dim: 'Person search', value: searches }],
  population: {
    vintage: 'census-2011',
    residents,
    groups: { white: residents, asian: 0, black: 0, mixed: 0, other: 0 },
  },
  ...(monthsWithData && { monthsWithData }),
});

const rateOf = (entries: readonly ComputedMeasure[]) => entryOf(entries, 'stopsearch.rate_per_1000', 'month');

describe('comparisons leave out what other forces suppress', () => {
  it("does not let Avon and Somerset's MSG average give back Derbyshire's 3 searches", () => {
    const forces = { 'avon-and-somerset': searchForce(1_600, 1_600_000), derbyshire: searchForce(3, 1_000_000) };
    // Derbyshire's own snapshot suppresses its 3 searches, and its rate with them.
    const own = applyDisclosureControl(
      snapshotEntriesOf(SEARCH_MEASURES, { asOf: ASOF, forceId: 'derbyshire', ...forces.derbyshire }),
      DEFAULT_DISCLOSURE_RULE,
      SEARCH_MEASURES,
    );
    expect(
      own.measures.find((m) => m.measureId === 'stopsearch.rate_per_1000' && m.period.id === 'month'),
    ).toMatchObject({ value: null, suppressed: '[c]' });
    // Before, the average was (1,600 + 3) ÷ 2,600,000 × 1,000: × 2,600 − 1,600 gave the 3 back.
    const entries = snapshotEntriesOf(SEARCH_MEASURES, {
      asOf: ASOF,
      ...forces['avon-and-somerset'],
      otherForces: new Map([['derbyshire', forces.derbyshire]]),
      mostSimilarGroup: ['derbyshire'],
    });
    expect(rateOf(entries).msg).toEqual({
      rank: null,
      average: null,
      comparison: null,
      similarWithinPercent: 5,
      forces: ['avon-and-somerset', 'derbyshire'],
      leftOut: [{ force: 'derbyshire', reason: 'suppressed' }],
      flag: '[x]',
      reason: 'no other force of the most similar group has figures for this entry (complete and not suppressed)',
    });
    expect(rateOf(entries).national).toEqual({
      flag: null,
      band: null,
      leftOut: [{ force: 'derbyshire', reason: 'suppressed' }],
    });
  });
});

describe('a force is never compared with itself alone', () => {
  it('says [z] when the force has no most similar group', () => {
    const entries = snapshotEntriesOf(SEARCH_MEASURES, { asOf: ASOF, ...searchForce(1_600, 1_600_000) });
    expect(rateOf(entries).msg).toEqual({
      rank: null,
      average: null,
      comparison: null,
      similarWithinPercent: 5,
      forces: ['avon-and-somerset'],
      leftOut: [],
      flag: '[z]',
      reason: 'the force has no most similar group in the reference data',
    });
  });

  it('says [x] when no other member has data, rather than rank 1/1 and its own value as the average', () => {
    const entries = snapshotEntriesOf(SEARCH_MEASURES, {
      asOf: ASOF,
      ...searchForce(1_600, 1_600_000),
      mostSimilarGroup: ['kent', 'essex'],
    });
    expect(rateOf(entries).msg).toMatchObject({
      rank: null,
      average: null,
      comparison: null,
      leftOut: [
        { force: 'kent', reason: 'not available' },
        { force: 'essex', reason: 'not available' },
      ],
      flag: '[x]',
    });
  });

  it("gives the others' average but no rank when only the force itself lacks data", () => {
    const entries = snapshotEntriesOf(SEARCH_MEASURES, {
      asOf: ASOF,
      ...searchForce(1_600, 1_600_000, ['2022-02']),
      otherForces: new Map([['kent', searchForce(950, 1_900_000)]]),
      mostSimilarGroup: ['kent'],
    });
    expect(rateOf(entries).msg).toMatchObject({
      rank: null,
      average: 0.5,
      comparison: null,
      leftOut: [{ force: 'avon-and-somerset', reason: 'not available' }],
      flag: '[x]',
      reason: "the force's own value is not available",
    });
  });
});

describe('MSG and national comparison: a known answer', () => {
  // Searches in March 2022 and residents. Rates per 1,000: A&S 1.42, Essex 1.5, Hampshire 2.0,
  // Kent 0.5, Staffordshire 3.0, Sussex 1.0; Derbyshire's 3 searches are suppressed in its own
  // snapshot; Hertfordshire has no data for March. Six forces outside the group, for the band.
  const msg: Record<(typeof MSG)[number], ForceDays> = {
    derbyshire: searchForce(3, 1_000_000),
    essex: searchForce(2_700, 1_800_000),
    hampshire: searchForce(4_000, 2_000_000),
    hertfordshire: searchForce(500, 1_200_000, ['2022-02']),
    kent: searchForce(950, 1_900_000),
    staffordshire: searchForce(3_300, 1_100_000),
    sussex: searchForce(1_700, 1_700_000),
  };
  const national: Record<string, ForceDays> = {
    cumbria: searchForce(400, 500_000),
    dorset: searchForce(900, 750_000),
    durham: searchForce(1_500, 600_000),
    gwent: searchForce(2_400, 600_000),
    merseyside: searchForce(9_000, 1_500_000),
    'metropolitan-police': searchForce(108_000, 9_000_000),
  };
  const forces = new Map(Object.entries({ 'avon-and-somerset': searchForce(2_272, 1_600_000), ...msg, ...national }));
  const snapshotOf = (forceId: string, mostSimilarGroup: readonly string[]) =>
    rateOf(
      snapshotEntriesOf(SEARCH_MEASURES, {
        asOf: ASOF,
        forceId,
        ...forces.get(forceId)!,
        otherForces: new Map([...forces].filter(([id]) => id !== forceId)),
        mostSimilarGroup,
      }),
    );
  const groupOf = (forceId: string) => ['avon-and-somerset', ...MSG].filter((id) => id !== forceId);
  const avon = snapshotOf('avon-and-somerset', MSG);

  it('weights the average by residents, over the forces with published figures only', () => {
    // (2,272 + 2,700 + 4,000 + 950 + 3,300 + 1,700) ÷ 10,100,000 × 1,000 = 1.4774257: 1.42 is
    // 3.89% under it, similar. The simple mean of the six rates, 1.57, would have said below.
    expect(avon.msg!.average).toBe((14_922 / 10_100_000) * 1_000);
    expect(avon.msg).toMatchObject({ rank: '3/6', comparison: 'similar to', similarWithinPercent: 5 });
    expect(avon.msg!.forces).toEqual(['avon-and-somerset', ...MSG]);
    expect(avon.msg!.leftOut).toEqual([
      { force: 'derbyshire', reason: 'suppressed' },
      { force: 'hertfordshire', reason: 'not available' },
    ]);
    expect(avon.msg).not.toHaveProperty('flag');
  });

  it('ranks by direction: lower is better for searches per 1,000', () => {
    expect(snapshotOf('kent', groupOf('kent')).msg).toMatchObject({ rank: '1/6', comparison: 'below' });
    expect(snapshotOf('staffordshire', groupOf('staffordshire')).msg).toMatchObject({
      rank: '6/6',
      comparison: 'higher than',
    });
    // Sussex at 1.0 and Avon and Somerset at 1.42: Kent alone is lower.
    expect(snapshotOf('sussex', groupOf('sussex')).msg).toMatchObject({ rank: '2/6', comparison: 'below' });
  });

  it('computes the national band on logs when the rates are skewed, without the suppressed force', () => {
    const rates = [
      2_272 / 1_600,
      2_700 / 1_800,
      4_000 / 2_000,
      950 / 1_900,
      3_300 / 1_100,
      1_700 / 1_700,
      400 / 500,
      900 / 750,
      1_500 / 600,
      2_400 / 600,
      9_000 / 1_500,
      108_000 / 9_000,
    ];
    expect(shapiroWilk(rates).pValue).toBeLessThan(0.05);
    expect(shapiroWilk(rates.map(Math.log)).pValue).toBeGreaterThan(0.05);
    const logs = rates.map(Math.log);
    const mean = logs.reduce((sum, v) => sum + v, 0) / logs.length;
    const sd = Math.sqrt(logs.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (logs.length - 1));
    expect(avon.national!.band).toMatchObject({ scale: 'log', n: 12, normal: true });
    expect(avon.national!.band!.mean).toBeCloseTo(mean, 12);
    expect(avon.national!.band!.sd).toBeCloseTo(sd, 12);
    // exp(0.699 ∓ 0.895): 0.822 to 4.926 per 1,000.
    expect(avon.national!.band!.lower).toBeCloseTo(0.822236, 6);
    expect(avon.national!.band!.upper).toBeCloseTo(4.926299, 6);
    expect(avon.national).toMatchObject({
      flag: null,
      leftOut: [
        { force: 'derbyshire', reason: 'suppressed' },
        { force: 'hertfordshire', reason: 'not available' },
      ],
    });
    expect(snapshotOf('kent', []).national!.flag).toBe('well below');
    expect(snapshotOf('merseyside', []).national!.flag).toBe('well above');
  });
});

describe('trends withhold what the publication 12 months earlier suppressed', () => {
  // A year earlier (rolling 12 months to 31 March 2021): 900 calls under 10 s, 97 from 10 to 60 s
  // and 3 over 60 s, so that snapshot hid the 3 and, secondarily, the 97. Now: 950, 45 and 5.
  const at = (day: string, bins: Readonly<Record<number, number>>): DailyRow[] =>
    calls999Rows(bins).map((row) => ({ day, ...row }));
  const days = {
    daily: [...at('2020-06-10', { 4: 900, 30: 97, 75: 3 }), ...at('2021-06-10', { 4: 950, 30: 45, 75: 5 })],
    monthsWithData: monthsBetween('2020-04-01', ASOF),
  };
  const entries = snapshotEntriesOf([calls999AnsweredWithin10s, ...calls999AnswerBands], { asOf: ASOF, ...days });
  const rolling = (id: string) => entryOf(entries, id, 'rolling-12m');

  it('withholds the trend of every entry resting on a cell suppressed then, secondarily suppressed ones included', () => {
    // The 10-60 s share's trend (−53.6%) with today's 4.5% said 9.7% a year ago; beside the
    // published 90% under 10 s it gave the 0.3% over 60 s back.
    for (const id of ['calls.999.band.10_to_under_60s', 'calls.999.band.60s_or_more']) {
      expect(rolling(id), id).toMatchObject({ trend: null, notes: [TREND_WITHHELD_NOTE] });
    }
    // The under-10 s share was published a year ago: its trend gives nothing away.
    expect(rolling('calls.999.band.under_10s').trend).toMatchObject({
      label: 'Moderate increase',
      changePercent: expect.closeTo(5.555556, 6),
    });
    expect(rolling('calls.999.answered_within_10s').trend?.label).toBe('Moderate increase');
    expect(rolling('calls.999.answered_within_10s')).not.toHaveProperty('notes');
  });

  it('labels trends with the configured thresholds and states them', () => {
    const strict = snapshotEntriesOf([calls999AnsweredWithin10s], {
      asOf: ASOF,
      ...days,
      rules: { disclosure: DEFAULT_DISCLOSURE_RULE, trendThresholds: { stablePercent: 2, strongPercent: 5 } },
    });
    // 95% against 90%: +5.56%, over the strong threshold of 5%.
    expect(entryOf(strict, 'calls.999.answered_within_10s', 'rolling-12m').trend).toMatchObject({
      label: 'Strong increase',
      rule: { stablePercent: 2, strongPercent: 5 },
    });
  });
});

describe('comparisons with published figures in a one-force deployment (issue 14)', () => {
  // Avon and Somerset has its own events; its MSG only published figures (police.uk's 999 table).
  const MARCH = { from: '2022-03-01', to: '2022-03-31' };
  const published = (forceId: string, under10s: number, answered: number, source = 'police-uk-999') => ({
    source,
    edition: 'a1b2c3d4e5f6',
    forceId,
    measureId: 'calls.999.answered_within_10s',
    ...MARCH,
    numerator: under10s,
    denominator: answered,
    value: (under10s / answered) * 100,
  });
  const MSG_FIGURES = [
    published('derbyshire', 4_300, 5_000),
    published('essex', 9_000, 11_000),
    published('hampshire', 10_200, 12_000),
    published('hertfordshire', 7_000, 8_000),
    published('kent', 10_500, 13_000),
    published('staffordshire', 380, 400),
    published('sussex', 390, 400),
    // Another force outside the MSG: counted in the national band only.
    published('cumbria', 1_900, 2_000),
    // Avon and Somerset's own published figure: reconciled, never used in place of its own.
    published('avon-and-somerset', 810, 1_000),
  ];
  // 800 of 1,000 answered within 10 s on 15 March 2022.
  const callsOn = (day: string, under10s: number, answered: number) =>
    calls999Rows({ 5: under10s, 30: answered - under10s }).map((row) => ({ ...row, day }));
  const avon: ForceDays = { daily: callsOn('2022-03-15', 800, 1_000) };
  const entries = snapshotEntriesOf([calls999AnsweredWithin10s], {
    asOf: ASOF,
    ...avon,
    mostSimilarGroup: MSG,
    publishedFigures: MSG_FIGURES,
  });
  const march = entryOf(entries, 'calls.999.answered_within_10s', 'month');

  it('ranks the force among its MSG from their published figures, with the rank interval and each source', () => {
    expect(march.value).toBe(80);
    expect(march.msg).toMatchObject({ rank: '8/8', rankInterval: { best: 6, worst: 8, of: 8 } });
    expect(march.msg?.rankInterval?.label).toBe('8th of 8 (6th to 8th)');
    expect(march.msg?.sources?.[0]).toEqual({ force: 'avon-and-somerset', source: 'own events' });
    expect(march.msg?.sources?.find((s) => s.force === 'kent')).toEqual({
      force: 'kent',
      source: 'police-uk-999 edition a1b2c3d4e5f6',
    });
    // Weighted over own 800/1,000 and the published counts: (800 + 51,770) ÷ (1,000 + 61,800).
    expect(march.msg?.average).toBeCloseTo(
      ((800 + 4_300 + 9_000 + 10_200 + 7_000 + 10_500 + 380 + 390) /
        (1_000 + 5_000 + 11_000 + 12_000 + 8_000 + 13_000 + 400 + 400)) *
        100,
      10,
    );
  });

  it('builds the national band over every force in the published file, the force itself from its own events', () => {
    expect(march.national?.band).not.toBeNull();
    expect(march.national?.leftOut).toEqual([]);
  });

  it("sets the force's own figure beside the one published for it", () => {
    expect(march.reconciliation).toEqual([
      {
        source: 'police-uk-999',
        edition: 'a1b2c3d4e5f6',
        published: { numerator: 810, denominator: 1_000, value: 81 },
        differenceValue: expect.closeTo(-1, 10),
        differenceNumerator: -10,
        differenceDenominator: 0,
      },
    ]);
  });

  it('prefers a force’s own events when they cover the period, and says nothing of sources then', () => {
    const withKentEvents = snapshotEntriesOf([calls999AnsweredWithin10s], {
      asOf: ASOF,
      ...avon,
      otherForces: new Map([['kent', { daily: callsOn('2022-03-15', 900, 1_000) }]]),
      mostSimilarGroup: ['kent'],
      publishedFigures: [published('kent', 10, 1_000)],
    });
    const entry = entryOf(withKentEvents, 'calls.999.answered_within_10s', 'month');
    expect(entry.msg).toMatchObject({ rank: '2/2' });
    expect(entry.msg?.sources).toBeUndefined();
  });
});
