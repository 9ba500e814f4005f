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
    const first = fact('stop-search.amended', '2024-01-06T10:00:00Z', {
      outcome: 'Arrest',
      outcomeLinkedToObject: true,
    });
    const second = fact('stop-search.amended', '2024-01-07T10:00:00Z', { outcome: 'Community resolution' });
    const inOrder = interpretSearch(mergeFacts([], [recorded, first, second]), calendar);
    const reversed = interpretSearch(mergeFacts(mergeFacts([], [second]), [first, recorded]), calendar);
    expect(reversed).toEqual(inOrder);
    const sums = totals(inOrder.contributions);
    expect(sums['2024-01-05 stopsearch.by_outcome community-resolution']).toBe(1);
    expect(sums['2024-01-05 stopsearch.by_outcome_linked true']).toBe(1);
  });

  it("counts the latest grounds review on its own day, with the searched person's group", () => {
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
      fact('stop-search.recorded', '2024-01-05T10:00:00Z', {
        selfDefinedEthnicity: 'Martian - Olympus',
        officerDefinedEthnicity: null,
      }),
    );
    const sums = totals(lifecycle.contributions);
    expect(sums['2024-01-05 stopsearch.by_ethnic_group not-recorded']).toBe(1);
    expect(sums['2024-01-05 stopsearch.ethnicity_unrecognised ']).toBe(1);
    expect(lifecycle.flags).toEqual(['unrecognised ethnicity "Martian - Olympus": counted as not recorded']);
  });

  it("moves a search, every count of it, to the day of an amendment's searchedAt, and back on null", () => {
    const recorded = fact('stop-search.recorded', '2024-01-20T10:00:00Z', { outcome: 'Arrest' });
    const moved = fact('stop-search.amended', '2024-01-01T00:00:02Z', {
      outcome: 'Arrest',
      searchedAt: '2024-01-03T09:30:00Z',
    });
    const lifecycle = interpretSearch(mergeFacts([], [moved, recorded]), calendar);
    expect(totals(lifecycle.contributions)).toEqual({
      '2024-01-03 stopsearch.searches Person search': 1,
      '2024-01-03 stopsearch.by_ethnic_group white': 1,
      '2024-01-03 stopsearch.by_outcome arrest': 1,
      '2024-01-03 stopsearch.by_outcome_linked false': 1,
    });
    expect(lifecycle.startedAt).toBe(Date.parse('2024-01-03T09:30:00Z'));
    const back = fact('stop-search.amended', '2024-01-01T00:00:03Z', { outcome: 'Arrest', searchedAt: null });
    expect(Object.keys(totals(interpret(recorded, moved, back).contributions))).toEqual([
      '2024-01-20 stopsearch.by_ethnic_group white',
      '2024-01-20 stopsearch.by_outcome arrest',
      '2024-01-20 stopsearch.by_outcome_linked false',
      '2024-01-20 stopsearch.searches Person search',
    ]);
  });

  it('counts nothing of a withdrawn search, grounds reviews included, until a later amendment restores it', () => {
    const recorded = fact('stop-search.recorded', '2024-01-20T10:00:00Z');
    const review = fact('stop-search.grounds-reviewed', '2024-02-10T10:00:00Z', { reasonableGroundsRecorded: true });
    const withdrawn = fact('stop-search.amended', '2024-01-01T00:00:02Z', { outcome: null, withdrawn: true });
    const lifecycle = interpret(recorded, review, withdrawn);
    expect(lifecycle).toMatchObject({
      status: 'withdrawn',
      contributions: [],
      flags: [],
      startedAt: Date.parse('2024-01-20T10:00:00Z'),
    });
    const restored = interpret(
      recorded,
      review,
      withdrawn,
      fact('stop-search.amended', '2024-01-01T00:00:03Z', { outcome: 'Arrest', withdrawn: false }),
    );
    expect(restored.status).toBe('grounds reviewed');
    expect(totals(restored.contributions)).toMatchObject({
      '2024-01-20 stopsearch.by_outcome arrest': 1,
      '2024-02-10 stopsearch.grounds_reviewed white|true': 1,
    });
  });

  it('flags and ignores a searchedAt or withdrawn of the wrong type, keeping the earlier value', () => {
    // The contract refuses these now; facts stored before it did may still hold them.
    const lifecycle = interpret(
      fact('stop-search.recorded', '2024-01-20T10:00:00Z'),
      fact('stop-search.amended', '2024-01-01T00:00:02Z', { outcome: 'Arrest', searchedAt: '2024-01-03T09:30:00Z' }),
      fact('stop-search.amended', '2024-01-01T00:00:03Z', {
        outcome: 'Arrest',
        searchedAt: '2024-01-05 10:00',
        withdrawn: 'yes' as unknown as boolean,
      }),
    );
    expect(lifecycle.status).toBe('recorded');
    expect(totals(lifecycle.contributions)['2024-01-03 stopsearch.searches Person search']).toBe(1);
    expect(lifecycle.flags).toEqual([
      'stop-search.amended searchedAt is not a time with an offset: ignored',
      'stop-search.amended withdrawn is not true, false or null: ignored',
    ]);
  });
});
