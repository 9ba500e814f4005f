import { describe, expect, it } from 'vitest';
import { AVON_AND_SOMERSET_POPULATION, measureInputOf } from './measure-input-of.ts';
import { searchRows } from './stopsearch-count.ts';
import {
  stopsearchDisproportionality,
  stopsearchDisproportionalityOtherThanWhite,
} from './stopsearch-disproportionality.ts';

const input = measureInputOf({
  aggregates: searchRows({ white: 4_800, asian: 180, black: 420, mixed: 160, other: 40, 'not-recorded': 800 }),
  population: AVON_AND_SOMERSET_POPULATION,
});
const computed = (id: string) => stopsearchDisproportionality.find((m) => m.id === id)!.compute(input)[0]!;

describe('stopsearch.disproportionality.<group>', () => {
  it('has one ratio per group other than White, then all of them together', () => {
    expect(stopsearchDisproportionality.map((m) => m.id)).toEqual([
      'stopsearch.disproportionality.asian',
      'stopsearch.disproportionality.black',
      'stopsearch.disproportionality.mixed',
      'stopsearch.disproportionality.other',
      'stopsearch.disproportionality.other_than_white',
    ]);
  });

  it("divides the group's rate per 1,000 by White people's", () => {
    const black = computed('stopsearch.disproportionality.black');
    const whiteRate = (4_800 / 1_491_970) * 1_000;
    expect(black.numerator).toBeCloseTo((420 / 30_923) * 1_000, 10);
    expect(black.denominator).toBeCloseTo(whiteRate, 10);
    expect(black.value).toBeCloseTo(4.2217, 4);
    expect(black.value).toBeCloseTo(black.numerator! / black.denominator!, 12);
    expect(black.cells).toEqual({ 'stopsearch.ethnic_group.black': 420, 'stopsearch.ethnic_group.white': 4_800 });
    expect(computed('stopsearch.disproportionality.asian').value).toBeCloseTo(1.3327, 4);
  });

  it('pools searches and populations for Other than White, leaving out searches with no ethnicity recorded', () => {
    const pooled = stopsearchDisproportionalityOtherThanWhite.compute(input)[0]!;
    expect(pooled.numerator).toBeCloseTo((800 / 107_585) * 1_000, 10);
    expect(pooled.value).toBeCloseTo(800 / 107_585 / (4_800 / 1_491_970), 10);
    expect(Object.keys(pooled.cells)).toEqual([
      'stopsearch.ethnic_group.asian',
      'stopsearch.ethnic_group.black',
      'stopsearch.ethnic_group.mixed',
      'stopsearch.ethnic_group.other',
      'stopsearch.ethnic_group.white',
    ]);
  });

  it('has no value without populations or without White people searched', () => {
    const noPopulation = measureInputOf({ aggregates: searchRows({ white: 10, black: 5 }) });
    expect(stopsearchDisproportionalityOtherThanWhite.compute(noPopulation)[0]).toMatchObject({
      value: null,
      numerator: null,
      denominator: null,
    });
    const noWhite = measureInputOf({ aggregates: searchRows({ black: 5 }), population: AVON_AND_SOMERSET_POPULATION });
    expect(stopsearchDisproportionalityOtherThanWhite.compute(noWhite)[0]).toMatchObject({
      value: null,
      denominator: 0,
    });
  });
});
