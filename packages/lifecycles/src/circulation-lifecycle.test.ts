import { createCalendar } from '@rollcall/calendar';
import { describe, expect, it } from 'vitest';
import { interpretCirculation } from './circulation-lifecycle.ts';
import { mergeFacts } from './fact.ts';
import { fact, totals } from './test-facts.ts';

const calendar = createCalendar('Europe/London');
const interpret = (...facts: ReturnType<typeof fact>[]) => interpretCirculation(mergeFacts([], facts), calendar);

/** The value of a stock as at the end of `asOf`: the sum of its changes up to that day. */
const stockAsAt = (sums: Record<string, number>, metric: string, asOf: string, dim?: string) =>
  Object.entries(sums)
    .filter(([key]) => {
      const [day, m, d = ''] = key.split(' ');
      return m === metric && day! <= asOf && (dim === undefined || d === dim);
    })
    .reduce((sum, [, value]) => sum + value, 0);

describe('interpretCirculation', () => {
  it('opens a circulation in its team/risk cell and ages it after six calendar months', () => {
    const sums = totals(
      interpret(fact('wanted.circulated', '2021-09-01T14:00:00+01:00', { team: 'North', risk: 'high' })).contributions,
    );
    expect(stockAsAt(sums, 'wanted.open', '2021-08-31')).toBe(0);
    expect(stockAsAt(sums, 'wanted.open', '2021-09-01', 'North|high|-')).toBe(1);
    // As at the end of 1 March 2022 (an instant of 2 March 00:00), 1 September 2021 is more than 6 months before.
    expect(stockAsAt(sums, 'wanted.open_over_6_months', '2022-02-28')).toBe(0);
    expect(stockAsAt(sums, 'wanted.open_over_6_months', '2022-03-01')).toBe(1);
  });

  it('moves between risk cells on the day risk changes and leaves on the day it closes', () => {
    const sums = totals(
      interpret(
        fact('wanted.circulated', '2021-01-10T09:00:00Z', { team: 'South', risk: 'medium' }),
        fact('wanted.risk-changed', '2021-02-01T09:00:00Z', { risk: 'high', top20: true }),
        fact('wanted.arrested', '2021-10-05T09:00:00+01:00'),
      ).contributions,
    );
    expect(stockAsAt(sums, 'wanted.open', '2021-01-31', 'South|medium|-')).toBe(1);
    expect(stockAsAt(sums, 'wanted.open', '2021-02-01', 'South|medium|-')).toBe(0);
    expect(stockAsAt(sums, 'wanted.open', '2021-02-01', 'South|high|top20')).toBe(1);
    expect(stockAsAt(sums, 'wanted.open', '2021-10-04')).toBe(1);
    expect(stockAsAt(sums, 'wanted.open', '2021-10-05')).toBe(0);
    expect(stockAsAt(sums, 'wanted.open_over_6_months', '2021-07-10')).toBe(1);
    expect(stockAsAt(sums, 'wanted.open_over_6_months', '2021-10-05')).toBe(0);
    expect(sums['2021-10-05 wanted.days_to_arrest South|268']).toBe(1);
  });

  it('is never open at a day end when circulated and closed the same day', () => {
    const lifecycle = interpret(
      fact('wanted.circulated', '2022-01-10T09:00:00Z'),
      fact('wanted.cancelled', '2022-01-10T17:00:00Z'),
    );
    const sums = totals(lifecycle.contributions);
    expect(stockAsAt(sums, 'wanted.open', '2030-01-01')).toBe(0);
    expect(stockAsAt(sums, 'wanted.open_over_6_months', '2030-01-01')).toBe(0);
    expect(lifecycle.status).toBe('cancelled');
  });

  it('counts nothing for an arrest that arrived before its circulation', () => {
    const lifecycle = interpret(fact('wanted.arrested', '2022-01-10T17:00:00Z'));
    expect(lifecycle.status).toBe('pending');
    expect(lifecycle.contributions).toEqual([]);
  });

  it('flags a second closing event and a closing before circulation', () => {
    const lifecycle = interpret(
      fact('wanted.cancelled', '2022-01-01T17:00:00Z', {}, 'early-cancel'),
      fact('wanted.circulated', '2022-01-10T09:00:00Z'),
      fact('wanted.arrested', '2022-02-10T17:00:00Z'),
      fact('wanted.arrested', '2022-02-11T17:00:00Z'),
    );
    expect(lifecycle.status).toBe('arrested');
    expect(lifecycle.flags).toEqual([
      'closed before wanted.circulated: ignored',
      'more than one wanted.arrested or wanted.cancelled: the earliest counts, later ones are ignored',
    ]);
  });
});
