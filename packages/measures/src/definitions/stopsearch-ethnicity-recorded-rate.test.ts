import { describe, expect, it } from 'vitest';
import { measureInputOf } from './measure-input-of.ts';
import { searchRows } from './stopsearch-count.ts';
import { stopsearchEthnicityRecordedRate } from './stopsearch-ethnicity-recorded-rate.ts';

describe('stopsearch.ethnicity_recorded_rate', () => {
  it('is searches in one of the five groups ÷ all searches, with not recorded as a part of the ethnic-group cells', () => {
    const input = measureInputOf({
      aggregates: searchRows({ white: 4_800, asian: 180, black: 420, mixed: 160, other: 40, 'not-recorded': 800 }),
    });
    expect(stopsearchEthnicityRecordedRate.compute(input)).toEqual([
      {
        value: 87.5,
        numerator: 5_600,
        denominator: 6_400,
        cells: {
          'stopsearch.ethnicity_recorded': 5_600,
          'stopsearch.searches': 6_400,
          'stopsearch.ethnic_group.not-recorded': 800,
        },
        // The complement is the not-recorded group itself, carried: nothing is left implied.
        cellSums: [
          {
            total: 'stopsearch.searches',
            parts: ['stopsearch.ethnicity_recorded', 'stopsearch.ethnic_group.not-recorded'],
          },
        ],
      },
    ]);
  });

  it('is 100% when every search has an ethnicity, and has no value without searches', () => {
    expect(
      stopsearchEthnicityRecordedRate.compute(measureInputOf({ aggregates: searchRows({ white: 3, black: 2 }) }))[0]!
        .value,
    ).toBe(100);
    expect(stopsearchEthnicityRecordedRate.compute(measureInputOf())[0]!.value).toBeNull();
  });
});
