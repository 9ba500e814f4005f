import { pollUntil } from '@rollcall/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { topologyInputs, TopologyPipeline } from './support/topology-pipeline.ts';
import { accountingTotals } from './support/accounting-totals.ts';

/** 8,000 calls: 16,000 events in 17 jobs, a duplicate line and an invalid one. */
const CALLS = 8_000;

interface Status {
  accounting: { feed: string; offered: number; stored: number; duplicate: number; rejected: number }[];
  accountingMismatches: unknown[];
  reasons: string[];
  ingestRuns: {
    queuedEvents: number;
    processedEvents: number;
    inQueue: number;
    missing: unknown[];
    run: { finishedAt: string | null };
  }[];
}

const open: TopologyPipeline[] = [];
afterAll(async () => {
  await Promise.allSettled(open.map((pipeline) => pipeline.close()));
});

describe.each(['sentinel', 'cluster'] as const)('Redis %s: its primary killed mid-ingest', (topology) => {
  it('the workers ride out the failover, --resume re-queues what was lost, and nothing is lost', async () => {
    const pipeline = await TopologyPipeline.start(topology);
    open.push(pipeline);
    const path = await pipeline.writeFile('calls.ndjson', topologyInputs(CALLS)['call-handling']);
    await pipeline.startWorkers();

    const ingest = pipeline.rollcall('ingest', '--feed', 'call-handling', path);
    // Mid-ingest: once five jobs are recorded (of 17), the primary holding the queues dies.
    await pollUntil(
      async () =>
        Number(
          (
            await pipeline.database.db
              .selectFrom('ingest_run_jobs')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        ) >= 5,
      () => 'five jobs queued',
      60_000,
    );
    const killed = await pipeline.servers?.killPrimaryOf(`{${pipeline.env.QUEUE_PREFIX}}:feed.call-handling:meta`);
    expect(killed).toBeGreaterThan(0);
    const first = await ingest;
    // The producer fails fast when its primary dies (or finished just before): either way the
    // run is recorded, and resuming it adds only what Redis does not hold.
    expect([0, 1]).toContain(first.code);

    const resumed = await pipeline.rollcall('ingest', '--feed', 'call-handling', '--resume', path);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(
      /^resuming run [0-9a-f]{12} of \S+: \d+ job\(s\) lost from the queues, \d+ still queued/,
    );

    const drained = await pipeline.rollcall('drain', '--timeout', '90');
    expect(drained.code).toBe(0);
    const status = JSON.parse((await pipeline.rollcall('status', '--format', 'json')).stdout) as Status;
    const calls = accountingTotals(status.accounting, 'call-handling');
    // Every event stored once; whatever was offered twice (a resumed job the replica had after
    // all, a job taken over after the failover) is a duplicate, and the counters add up.
    expect(calls.stored).toBe(2 * CALLS);
    expect(calls.rejected).toBe(1);
    expect(calls.offered).toBe(calls.stored + calls.duplicate + calls.rejected);
    expect(calls.duplicate).toBeGreaterThanOrEqual(1);
    expect(status.accountingMismatches).toEqual([]);
    expect(status.ingestRuns).toHaveLength(1);
    expect(status.ingestRuns[0]).toMatchObject({
      queuedEvents: 2 * CALLS + 1,
      processedEvents: 2 * CALLS + 1,
      inQueue: 0,
      missing: [],
    });
    expect(status.ingestRuns[0]?.run.finishedAt).not.toBeNull();
    expect(status.reasons.filter((reason) => reason.startsWith('ingest:'))).toEqual([]);
    await pipeline.close();
  });
});
