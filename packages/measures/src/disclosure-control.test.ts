import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AggregateRow } from './aggregates.ts';
import type { ComputedMeasure } from './compute-snapshot-measures.ts';
import { METRIC } from '@rollcall/contract';
import { calls999AnswerBands } from './definitions/calls-999-answer-bands.ts';
import { calls999AnsweredWithin10s, calls999Rows } from './definitions/calls-999-answered-within-10s.ts';
import { calls101AbandonedRate, calls101SecondaryAbandonedRate } from './definitions/calls-abandonment-measures.ts';
import { row } from './definitions/measure-input-of.ts';
import { snapshotEntriesOf } from './definitions/snapshot-entries-of.ts';
import { stopsearchCount } from './definitions/stopsearch-count.ts';
import { stopsearchFindRate } from './definitions/stopsearch-outcome-rates.ts';
import { stopsearchReasonableGroundsRate } from './definitions/stopsearch-reasonable-grounds-rate.ts';
import { wantedOpenMeasures } from './definitions/wanted-open-measures.ts';
import { wantedOpenRows } from './definitions/wanted-on-pnc-over-6-months.ts';
import { applyDisclosureControl, DEFAULT_DISCLOSURE_RULE } from './disclosure-control.ts';
import type { MeasureDefinition } from './measure-definition.ts';

const period = { id: 'month', kind: 'month' as const, label: 'm', from: '2022-03-01', to: '2022-03-31' };

const entry = (measureId: string, cells: Record<string, number>, value: number | null = 1): ComputedMeasure => ({
  measureId,
  breakdown: null,
  period,
  unit: 'count',
  direction: 'neither',
  value,
  numerator: value,
  denominator: null,
  flags: [],
  cells,
});

const bands: MeasureDefinition = {
  id: 'bands',
  title: 'bands',
  feed: 'call-handling',
  unit: 'count',
  direction: 'neither',
  definition: '',
  source: '',
  periods: ['month'],
  additiveGroups: [{ total: 'answered', partsPrefix: 'answered.' }],
  compute: () => [],
};

const bandEntries = (under10: number, mid: number, over60: number) => [
  entry('bands', { 'answered.under_10s': under10, answered: under10 + mid + over60 }),
  entry('bands', { 'answered.10_to_60s': mid, answered: under10 + mid + over60 }),
  entry('bands', { 'answered.60s_or_more': over60, answered: under10 + mid + over60 }),
  entry('bands', { answered: under10 + mid + over60 }),
];

describe('applyDisclosureControl', () => {
  it('suppresses counts from 1 to 4 and everything derived from them, but not zero', () => {
    const { measures, report } = applyDisclosureControl(
      [
        entry('a', { small: 3 }, 3),
        entry('b', { zero: 0 }, 0),
        entry('c', { big: 5 }, 5),
        entry('rate', { small: 3, big: 5 }, 60),
      ],
      { maxSuppressedCount: 4 },
      [],
    );
    expect(measures.map((m) => [m.measureId, m.value, m.suppressed ?? null])).toEqual([
      ['a', null, '[c]'],
      ['b', 0, null],
      ['c', 5, null],
      ['rate', null, '[c]'],
    ]);
    expect(measures[0]!.flags).toEqual(['[c]']);
    expect(report).toEqual({ primary: 1, secondary: 0 });
  });

  it('suppresses a second band so the first cannot be recovered by subtraction from the total', () => {
    const { measures, report } = applyDisclosureControl(bandEntries(3, 90, 7), { maxSuppressedCount: 4 }, [bands]);
    expect(measures.map((m) => m.value === null)).toEqual([true, false, true, false]);
    expect(report).toEqual({ primary: 1, secondary: 1 });
  });

  it('hides every band resting on a small total (the zero bands included: they share its cell)', () => {
    const { measures } = applyDisclosureControl(bandEntries(2, 0, 0), { maxSuppressedCount: 4 }, [bands]);
    expect(measures.map((m) => m.value === null)).toEqual([true, true, true, true]);
  });

  it('suppresses the total when no other part can hide the lone suppressed one', () => {
    // Parts 3 and 0 with a separately published total of 3 would reveal the 3.
    const entries = [
      entry('bands', { 'answered.a': 3 }, 3),
      entry('bands', { 'answered.b': 0 }, 0),
      entry('bands', { answered: 10 }, 10),
      entry('bands', { 'answered.c': 7 }, 7),
    ];
    const { measures } = applyDisclosureControl(entries, { maxSuppressedCount: 4 }, [bands]);
    expect(measures.map((m) => m.value === null)).toEqual([true, false, false, true]);
  });

  it('respects a configured threshold', () => {
    const { measures } = applyDisclosureControl([entry('a', { n: 7 }, 7)], { maxSuppressedCount: 9 }, []);
    expect(measures[0]!.suppressed).toBe('[c]');
  });

  it('never leaves exactly one suppressed member in an additive group', () => {
    fc.assert(
      fc.property(fc.tuple(fc.nat(12), fc.nat(12), fc.nat(12)), ([a, b, c]) => {
        const { measures } = applyDisclosureControl(bandEntries(a, b, c), { maxSuppressedCount: 4 }, [bands]);
        const hidden = measures.filter((m) => m.value === null).length;
        expect(hidden === 0 || hidden >= 2).toBe(true);
        // Nothing small is left visible.
        for (const m of measures)
          if (m.value !== null) expect(m.value === 0 || m.value > 4 || m.value === 1).toBe(true);
      }),
    );
  });
});

/**
 * The entries of a period of a snapshot of these definitions on these rows (all on 15 March 2022), after disclosure
 * control.
 */
function published(definitions: readonly MeasureDefinition[], rows: readonly AggregateRow[], periodId = 'month') {
  const entries = snapshotEntriesOf(definitions, {
    asOf: '2022-03-31',
    daily: rows.map((r) => ({ day: '2022-03-15', ...r })),
  }).filter((e) => e.period.id === periodId);
  const { measures, report } = applyDisclosureControl(entries, DEFAULT_DISCLOSURE_RULE, definitions);
  const of = (measureId: string, breakdown: Readonly<Record<string, string>> | null = null) =>
    measures.find((m) => m.measureId === measureId && JSON.stringify(m.breakdown) === JSON.stringify(breakdown))!;
  return { of, report };
}

describe('what a publication gives away by subtraction', () => {
  it("suppresses a share whose complement is small: 497 of 500 searches finding something says 3 didn't", () => {
    const rows = (found: number) => [
      row(METRIC.searches, 'Person search', 500),
      row(METRIC.searchesByOutcomeLinked, 'true', found),
    ];
    const small = published([stopsearchCount, stopsearchFindRate], rows(497));
    expect(small.of('stopsearch.find_rate')).toMatchObject({
      value: null,
      numerator: null,
      denominator: null,
      suppressed: '[c]',
    });
    expect(small.of('stopsearch.count')).toMatchObject({ value: 500 });
    expect(small.report).toEqual({ primary: 1, secondary: 1 });
    // A complement of zero discloses nothing: 500 of 500 is published.
    expect(published([stopsearchCount, stopsearchFindRate], rows(500)).of('stopsearch.find_rate')).toMatchObject({
      value: 100,
      numerator: 500,
      denominator: 500,
    });
  });

  it('hides every entry publishing both counts of a share, not only the share itself', () => {
    // 497 under 10 s of 500, 3 from 10 to 60 s: the under-10 s band publishes 497 and 500 too.
    const { of } = published([calls999AnsweredWithin10s, ...calls999AnswerBands], calls999Rows({ 4: 497, 30: 3 }));
    expect(of('calls.999.answered_within_10s').suppressed).toBe('[c]');
    expect(of('calls.999.band.under_10s').suppressed).toBe('[c]');
    expect(of('calls.999.band.10_to_under_60s').suppressed).toBe('[c]');
    expect(of('calls.999.band.60s_or_more')).toMatchObject({ numerator: 0, denominator: 500 });
  });

  it("hides one of the two 101 rates when their difference, the primary queue's abandonments, is small", () => {
    const rows = (primary: number, secondary: number) => [
      row(METRIC.callsPresented, '101', 1_000),
      row(METRIC.calls101Transferred, '', 200),
      row(METRIC.calls101AbandonedWaitBins, 'primary|30', primary),
      row(METRIC.calls101AbandonedWaitBins, 'secondary|600', secondary),
    ];
    // 50 overall and 47 on the secondary queue gave away 3 on the primary.
    const leak = published([calls101AbandonedRate, calls101SecondaryAbandonedRate], rows(3, 47));
    expect(leak.of('calls.101.abandoned_rate')).toMatchObject({ numerator: 50, denominator: 1_000 });
    expect(leak.of('calls.101.secondary_abandoned_rate').suppressed).toBe('[c]');
    // 3 on the secondary queue: that rate is hidden, and the overall one, which cannot give it
    // away without the other, stays.
    const small = published([calls101AbandonedRate, calls101SecondaryAbandonedRate], rows(47, 3));
    expect(small.of('calls.101.secondary_abandoned_rate').suppressed).toBe('[c]');
    expect(small.of('calls.101.abandoned_rate')).toMatchObject({ numerator: 50, denominator: 1_000 });
    expect(small.report).toEqual({ primary: 1, secondary: 0 });
  });

  it('hides the ethnic-minority breakdown of 21 of 24, and keeps the headline it cannot be recovered from', () => {
    const reviews = (rows: Readonly<Record<string, number>>) =>
      Object.entries(rows).map(([dim, n]) => row(METRIC.searchesGroundsReviewed, dim, n));
    const { of } = published(
      [stopsearchReasonableGroundsRate],
      reviews({ 'white|true': 138, 'white|false': 20, 'black|true': 21, 'black|false': 3 }),
    );
    expect(of('stopsearch.reasonable_grounds_rate', { group: 'ethnic-minority' }).suppressed).toBe('[c]');
    expect(of('stopsearch.reasonable_grounds_rate')).toMatchObject({ numerator: 159, denominator: 182 });
  });

  it('follows a difference through two sums: records not of ethnic minorities, 50 reviewed and 49 with grounds', () => {
    // Headline 80 of 100, ethnic minorities 31 of 50: everyone else 49 of 50, so 1 without grounds.
    const reviews = (rows: Readonly<Record<string, number>>) =>
      Object.entries(rows).map(([dim, n]) => row(METRIC.searchesGroundsReviewed, dim, n));
    const { of, report } = published(
      [stopsearchReasonableGroundsRate],
      reviews({ 'white|true': 49, 'white|false': 1, 'asian|true': 31, 'asian|false': 19 }),
    );
    expect(of('stopsearch.reasonable_grounds_rate', { group: 'ethnic-minority' }).suppressed).toBe('[c]');
    expect(of('stopsearch.reasonable_grounds_rate')).toMatchObject({ numerator: 80, denominator: 100 });
    expect(report).toEqual({ primary: 1, secondary: 1 });
  });

  it('hides the high-risk count when the circulations not at high risk are few', () => {
    const { of } = published(wantedOpenMeasures, wantedOpenRows({ 'North|high|-': 497, 'North|low|-': 3 }), 'as-at');
    expect(of('wanted.open_high_risk').suppressed).toBe('[c]');
    expect(of('wanted.open')).toMatchObject({ value: 500 });
  });
});
