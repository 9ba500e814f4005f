import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ComputedMeasure } from './compute-snapshot-measures.ts';
import { applyDisclosureControl, TREND_WITHHELD_NOTE } from './disclosure-control.ts';
import { trend } from './statistics/trend.ts';
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
      [entry('a', { small: 3 }, 3), entry('b', { zero: 0 }, 0), entry('c', { big: 5 }, 5), entry('rate', { small: 3, big: 5 }, 60)],
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

  it('withholds a trend whose earlier value rests on a small count, keeping the entry itself', () => {
    // 40 searches now and 3 a year earlier: "+1,233%" next to 40 would give the 3 away.
    const withTrend = (earlier: number): ComputedMeasure => ({
      ...entry('searches', { searches: 40 }, 40),
      period: { ...period, id: 'rolling-12m', kind: 'rolling-12m' },
      trend: trend(40, earlier),
      trendCells: { searches: earlier },
    });
    const [small] = applyDisclosureControl([withTrend(3)], { maxSuppressedCount: 4 }).measures;
    expect(small).toMatchObject({ value: 40, trend: null, notes: [TREND_WITHHELD_NOTE] });
    expect(small).not.toHaveProperty('trendCells');
    const [large] = applyDisclosureControl([withTrend(30)], { maxSuppressedCount: 4 }).measures;
    expect(large?.trend?.label).toBe('Strong increase');
    expect(large).not.toHaveProperty('trendCells');
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
        for (const m of measures) if (m.value !== null) expect(m.value === 0 || m.value > 4 || m.value === 1).toBe(true);
      }),
    );
  });
});
