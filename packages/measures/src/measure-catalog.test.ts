import { describe, expect, it } from 'vitest';
import { exampleInputOf } from './definitions/measure-input-of.ts';
import { MEASURES } from './measure-catalog.ts';

describe('the measure catalogue', () => {
  it('declares the breakdown keys each measure publishes, and none for headline-only measures', () => {
    const withExamples = MEASURES.filter((measure) => measure.example !== undefined);
    expect(withExamples.length).toBeGreaterThan(MEASURES.length / 2);
    for (const measure of withExamples) {
      const results = measure.compute(exampleInputOf(measure.example ?? { description: '', aggregates: [] }));
      const keys = [...new Set(results.flatMap((result) => Object.keys(result.breakdown ?? {})))].sort();
      if (keys.length > 0) expect([...(measure.breakdowns ?? [])].sort(), measure.id).toEqual(keys);
      else expect(measure.breakdowns, measure.id).toBeUndefined();
    }
    expect(MEASURES.filter((measure) => measure.breakdowns !== undefined).map((measure) => measure.id)).toEqual([
      'calls.live.waiting',
      'calls.live.longest_wait_seconds',
      'incidents.attended_within_target',
      'wanted.median_days_to_arrest',
      'stopsearch.reasonable_grounds_rate',
    ]);
  });
});
