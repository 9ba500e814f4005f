import { describe, expect, it } from 'vitest';
import { METRIC } from '@rollcall/contract';
import { measureInputOf, row } from './measure-input-of.ts';
import {
  SEARCH_OUTCOME_WORDINGS as SEARCH_OUTCOMES,
  stopsearchFindRate,
  stopsearchOutcomeRates,
} from './stopsearch-outcome-rates.ts';

const input = measureInputOf({
  aggregates: [
    row(METRIC.searches, 'Person search', 400),
    row(METRIC.searchesByOutcome, 'arrest', 60),
    row(METRIC.searchesByOutcome, 'no-further-action', 300),
    row(METRIC.searchesByOutcome, 'community-resolution', 30),
    row(METRIC.searchesByOutcome, 'other', 6),
    row(METRIC.searchesByOutcome, 'not-recorded', 4),
    row(METRIC.searchesByOutcomeLinked, 'true', 90),
    row(METRIC.searchesByOutcomeLinked, 'false', 290),
    row(METRIC.searchesByOutcomeLinked, 'null', 20),
  ],
});

describe('stopsearch.outcome_rate.<outcome>', () => {
  it('has one measure per normalised outcome', () => {
    expect(stopsearchOutcomeRates.map((m) => m.id)).toEqual(
      SEARCH_OUTCOMES.map(({ id }) => `stopsearch.outcome_rate.${id}`),
    );
    expect(SEARCH_OUTCOMES.map(({ id }) => id)).toEqual([
      'arrest',
      'no-further-action',
      'community-resolution',
      'drugs-warning',
      'penalty-notice',
      'caution',
      'summons',
      'article-found',
      'not-recorded',
      'other',
    ]);
  });

  it('gives shares of all searches that add up to 100%, with outcome cells that add up to the searches', () => {
    const results = stopsearchOutcomeRates.map((m) => m.compute(input)[0]!);
    expect(results[0]).toEqual({
      value: 15,
      numerator: 60,
      denominator: 400,
      cells: { 'stopsearch.outcome.arrest': 60, 'stopsearch.searches': 400 },
      impliedCells: { '(stopsearch.searches − stopsearch.outcome.arrest)': 340 },
      cellSums: [
        {
          total: 'stopsearch.searches',
          parts: ['stopsearch.outcome.arrest', '(stopsearch.searches − stopsearch.outcome.arrest)'],
        },
      ],
    });
    expect(results.reduce((sum, r) => sum + r.value!, 0)).toBeCloseTo(100, 10);
    expect(results.reduce((sum, r) => sum + r.numerator!, 0)).toBe(400);
  });
});

describe('stopsearch.find_rate', () => {
  it('is searches whose outcome was linked to the object of the search ÷ all searches (false and null are not)', () => {
    expect(stopsearchFindRate.compute(input)).toEqual([
      {
        value: 22.5,
        numerator: 90,
        denominator: 400,
        cells: { 'stopsearch.outcome_linked_to_object': 90, 'stopsearch.searches': 400 },
        // The 310 searches that found nothing, given away by subtraction.
        impliedCells: { '(stopsearch.searches − stopsearch.outcome_linked_to_object)': 310 },
        cellSums: [
          {
            total: 'stopsearch.searches',
            parts: [
              'stopsearch.outcome_linked_to_object',
              '(stopsearch.searches − stopsearch.outcome_linked_to_object)',
            ],
          },
        ],
      },
    ]);
  });
});
