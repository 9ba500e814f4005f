import type { PublishedMeasure } from '@rollcall/measures';
import { describe, expect, it } from 'vitest';
import { diffMeasures } from './publish-snapshot.ts';

/** An entry of a share measure for the month, with an MSG comparison; overrides replace fields. */
const entry = (overrides: Partial<PublishedMeasure> = {}): PublishedMeasure =>
  ({
    measureId: 'calls.999.answered_within_10s',
    breakdown: null,
    period: { id: 'month', kind: 'month', label: 'March 2022', from: '2022-03-01', to: '2022-03-31' },
    unit: 'percent',
    direction: 'higher-is-better',
    value: 90,
    numerator: 90,
    denominator: 100,
    msg: {
      rank: '2 of 8',
      average: 85,
      comparison: 'above',
      similarWithinPercent: 5,
      forces: ['avon-and-somerset', 'kent'],
      leftOut: [],
    },
    national: { flag: null, band: null },
    flags: [],
    ...overrides,
  }) as PublishedMeasure;

const figures = { value: 90, numerator: 90, denominator: 100 };

describe('diffMeasures', () => {
  it('lists an entry whose MSG comparison alone moved, naming the field, with equal figures', () => {
    const moved = entry({ msg: { ...entry().msg!, rank: '3 of 8', average: 91 } });
    expect(diffMeasures([entry()], [moved])).toEqual([
      {
        measureId: 'calls.999.answered_within_10s',
        breakdown: null,
        periodId: 'month',
        change: 'changed',
        fields: ['msg'],
        before: figures,
        after: figures,
      },
    ]);
  });

  it('lists a national band change the same way', () => {
    const band = { lower: 80, upper: 95, mean: 87.5, sd: 7.5, onLogs: false } as unknown as NonNullable<
      PublishedMeasure['national']
    >['band'];
    expect(diffMeasures([entry()], [entry({ national: { flag: null, band } })]).map((change) => change.fields)).toEqual(
      [['national']],
    );
  });

  it('names every field that changed with the figures', () => {
    const after = entry({ value: 75, denominator: 120, status: 'not met', msg: { ...entry().msg!, rank: '5 of 8' } });
    expect(diffMeasures([entry()], [after])).toEqual([
      {
        measureId: 'calls.999.answered_within_10s',
        breakdown: null,
        periodId: 'month',
        change: 'changed',
        fields: ['denominator', 'msg', 'status', 'value'],
        before: figures,
        after: { value: 75, numerator: 90, denominator: 120 },
      },
    ]);
  });

  it('ignores the revision mark of the previous revision and the order of the entries', () => {
    const year = entry({
      period: {
        id: 'financial-year',
        kind: 'financial-year',
        label: 'FY 2021-22',
        from: '2021-04-01',
        to: '2022-03-31',
      },
    });
    expect(diffMeasures([{ ...entry(), flags: ['[r]'] }, year], [year, entry()])).toEqual([]);
  });

  it('tells an absent field from a null one, as the content hash does', () => {
    const withoutCi = entry();
    const withNullCi = entry({ ci: null });
    expect(diffMeasures([withoutCi], [withNullCi]).map((change) => change.fields)).toEqual([['ci']]);
  });

  it('lists added and removed entries with no fields', () => {
    const breakdown = entry({ breakdown: { channel: 'landline' } });
    expect(diffMeasures([entry()], [breakdown]).map((change) => [change.change, change.fields])).toEqual([
      ['added', []],
      ['removed', []],
    ]);
  });
});
