import { describe, expect, it } from 'vitest';
import { METRIC } from '@rollcall/contract';
import { AVON_AND_SOMERSET_POPULATION, measureInputOf, row } from './measure-input-of.ts';
import { stopsearchRatePer1000 } from './stopsearch-rate-per-1000.ts';

describe('stopsearch.rate_per_1000', () => {
  it('is searches ÷ residents × 1,000, with residents as the denominator', () => {
    const [result] = stopsearchRatePer1000.compute(
      measureInputOf({
        aggregates: [row(METRIC.searches, 'Person search', 6_400)],
        population: AVON_AND_SOMERSET_POPULATION,
      }),
    );
    expect(result).toMatchObject({ numerator: 6_400, denominator: 1_599_555, cells: { 'stopsearch.searches': 6_400 } });
    expect(result!.value).toBeCloseTo(4.001113, 6);
  });

  it('is comparable across forces per 1,000', () => {
    expect(stopsearchRatePer1000.comparison).toEqual({ scale: 1_000 });
  });

  it('has no value without a population', () => {
    expect(
      stopsearchRatePer1000.compute(measureInputOf({ aggregates: [row(METRIC.searches, 'Person search', 10)] }))[0],
    ).toMatchObject({
      value: null,
      numerator: 10,
      denominator: null,
    });
  });
});
