import { FEEDS } from '@rollcall/events';
import { MEASURES } from '@rollcall/measures';
import { simulateForceMonth } from '@rollcall/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineHarness } from './support/pipeline-harness.ts';

let harness: PipelineHarness;

beforeAll(async () => {
  harness = await PipelineHarness.start();
  const month = simulateForceMonth({ forceId: 'avon-and-somerset', month: '2024-01', scale: 0.05, seed: 11 });
  await harness.offerEvents(FEEDS.flatMap((feed) => month[feed]));
  await harness.drain();
});
afterAll(async () => {
  await harness.close();
});

describe('a snapshot produced through the pipeline', () => {
  it('holds every measure of the catalogue, for each of its periods', async () => {
    const { document } = await harness.publish('avon-and-somerset', '2024-01-31');
    expect(MEASURES.length).toBeGreaterThanOrEqual(48);
    for (const definition of MEASURES) {
      for (const kind of definition.periods.filter((k) => k !== 'custom')) {
        const entry = document.measures.find((m) => m.measureId === definition.id && m.period.kind === kind && m.breakdown === null);
        expect(entry, `${definition.id} for ${kind}`).toBeDefined();
      }
    }
    // A month of data fills the month and as-at periods; longer periods say what is missing.
    const month = document.measures.filter((m) => m.period.kind === 'month' && m.breakdown === null);
    expect(month.filter((m) => m.flags.includes('[x]'))).toEqual([]);
    const rolling = document.measures.find((m) => m.measureId === 'calls.999.answered_within_10s' && m.period.kind === 'rolling-12m');
    expect(rolling).toMatchObject({ value: null, flags: ['[x]'] });
    expect(rolling?.missingMonths).toHaveLength(11);
  });
});
