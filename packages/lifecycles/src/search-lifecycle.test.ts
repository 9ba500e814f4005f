import { createCalendar } from '@rollcall/calendar';
import { describe, expect, it } from 'vitest';
import { mergeFacts } from './fact.ts';
import { interpretSearch } from './search-lifecycle.ts';
import { fact, totals } from './test-facts.ts';

const calendar = createCalendar('Europe/London');
const interpret = (...facts: ReturnType<typeof fact>[]) => interpretSearch(mergeFacts([], facts), calendar);

describe('interpretSearch', () => {
  it('counts a search by type, ethnic group, outcome and linked outcome', () => {
    const sums = totals(interpret(fact('stop-search.recorded', '2024-01-05T10:00:00Z')).contributions);
    expect(sums).toEqual({
      '2024-01-05 stopsearch.searches Person search': 1,
      '2024-01-05 stopsearch.by_ethnic_group white': 1,
      '2024-01-05 stopsearch.by_outcome no-further-action': 1,
      '2024-01-05 stopsearch.by_outcome_linked false': 1,
    });
  });

  it('falls back to officer-defined ethnicity when self-defined is not stated', () => {
    const sums = totals(
      interpret(
        fact('stop-search.recorded', '2024-01-05T10:00:00Z', {
          selfDefinedEthnicity: 'Other ethnic group - Not stated',
          officerDefinedEthnicity: 'Black',
        }),
      ).contributions,
    );
    expect(sums['2024-01-05 stopsearch.by_ethnic_group black']).toBe(1);
  });

  it('applies amendments field by field in event-time order, whatever order they arrive in', () => {
    const recorded = fact('stop-search.recorded', '2024-01-05T10:00:00Z');
    const first = fact('stop-search.amended', '2024-01-06T10:00:00Z', { outcome: 'Arrest', outcomeLinkedToObject: true });
    const second = fact('stop-search.amended', '2024-01-07T10:00:00Z', { outcome: 'Community resolution' });
    const inOrder = interpretSearch(mergeFacts([], [recorded, first, second]), calendar);
    const reversed = interpretSearch(mergeFacts(mergeFacts([], [second]), [first, recorded]), calendar);
    expect(reversed).toEqual(inOrder);
    const sums = totals(inOrder.contributions);
    expect(sums['2024-01-05 stopsearch.by_outcome community-resolution']).toBe(1);
    expect(sums['2024-01-05 stopsearch.by_outcome_linked true']).toBe(1);
  });

  it('counts the latest grounds review on its own day, with the searched person\'s group', () => {
    const sums = totals(
      interpret(
        fact('stop-search.recorded', '2021-03-05T10:00:00Z', { selfDefinedEthnicity: 'Asian/Asian British - Indian' }),
        fact('stop-search.grounds-reviewed', '2021-05-01T10:00:00+01:00', { reasonableGroundsRecorded: false }),
        fact('stop-search.grounds-reviewed', '2021-05-02T10:00:00+01:00', { reasonableGroundsRecorded: true }),
      ).contributions,
    );
    expect(sums['2021-05-02 stopsearch.grounds_reviewed asian|true']).toBe(1);
    expect(Object.keys(sums).filter((key) => key.includes('grounds_reviewed'))).toHaveLength(1);
  });

  it('counts an unknown ethnicity as not recorded and flags it, never as White', () => {
    const lifecycle = interpret(
      fact('stop-search.recorded', '2024-01-05T10:00:00Z', { selfDefinedEthnicity: 'Martian - Olympus', officerDefinedEthnicity: null }),
    );
    const sums = totals(lifecycle.contributions);
    expect(sums['2024-01-05 stopsearch.by_ethnic_group not-recorded']).toBe(1);
    expect(sums['2024-01-05 stopsearch.ethnicity_unrecognised ']).toBe(1);
    expect(lifecycle.flags).toEqual(['unrecognised ethnicity "Martian - Olympus": counted as not recorded']);
  });
});
