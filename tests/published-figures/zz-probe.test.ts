import { exampleEvent, type FeedEvent } from '@rollcall/events';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { measureOf, PipelineHarness } from '../support/pipeline-harness.ts';

let h: PipelineHarness;
beforeAll(async () => { const t = Date.now(); h = await PipelineHarness.start(); console.log('start', Date.now() - t); });
afterAll(async () => { await h?.close(); });

it('probe', async () => {
  const events: FeedEvent[] = [];
  for (let i = 0; i < 10000; i++) {
    const callId = `c-${i}`;
    const at = Date.parse('2021-11-01T10:00:00Z') + i * 2_300_000;
    events.push(exampleEvent('call.presented', { eventId: `${callId}-p`, occurredAt: new Date(at).toISOString(), payload: { callId, btTransferSeconds: 1 } }));
    events.push(exampleEvent('call.answered', { eventId: `${callId}-a`, occurredAt: new Date(at + (i % 10 === 0 ? 20000 : 5000)).toISOString(), payload: { callId } }));
  }
  let t = Date.now();
  await h.offerEvents(events);
  console.log('offer', Date.now() - t); t = Date.now();
  await h.drain();
  console.log('drain', Date.now() - t); t = Date.now();
  const out = await h.publish('avon-and-somerset', '2022-07-31');
  console.log('publish', Date.now() - t);
  console.log(JSON.stringify(measureOf(out, 'calls.999.answered_within_10s', 'custom:peel-2021-22')));
  expect(1).toBe(1);
});
