import { loadConfig } from '@rollcall/config';
import { closeQueueConnection, openQueueConnection, QueueFactory } from '@rollcall/queue';
import { QUEUE_BACKENDS } from '@rollcall/testing';
import { createSilentLogger } from '@rollcall/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topologyInputs, TopologyPipeline } from './support/topology-pipeline.ts';
import { accountingTotals } from './support/accounting-totals.ts';

interface Status {
  status: string;
  reasons: string[];
  accounting: { feed: string; offered: number; stored: number; duplicate: number; rejected: number }[];
  ingestRuns: {
    queuedEvents: number;
    processedEvents: number;
    inQueue: number;
    missing: { jobId: string; firstLine: number; lastLine: number }[];
  }[];
}

const statusOf = async (pipeline: TopologyPipeline): Promise<Status> =>
  JSON.parse((await pipeline.rollcall('status', '--format', 'json')).stdout) as Status;

// On both queue backends: a job can be lost from Redis (a primary that died before replicating);
// on PostgreSQL only by a hand that removed it, and --resume mends both the same way.
describe.each(QUEUE_BACKENDS)('a job the queues on %s acknowledged and then lost', (queueBackend) => {
  let pipeline: TopologyPipeline;
  beforeAll(async () => {
    pipeline = await TopologyPipeline.start('single', { queueBackend });
  });
  afterAll(async () => {
    await pipeline.close();
  });

  it('is named by status with its lines, and --resume re-queues exactly it', async () => {
    // 1,500 calls, a duplicate line and an invalid one: 3,001 events in 4 jobs (the invalid line is rejected at once).
    const path = await pipeline.writeFile('calls.ndjson', topologyInputs(1_500)['call-handling']);
    const ingest = await pipeline.rollcall('ingest', '--feed', 'call-handling', path);
    expect(ingest.stdout).toContain('3002 line(s), 3001 accepted onto feed.call-handling in 4 job(s), 1 rejected');
    const runId = (await pipeline.database.db.selectFrom('ingest_runs').select('run_id').executeTakeFirstOrThrow())
      .run_id;

    // What a Redis primary that died before replicating leaves: the job is gone from the queues.
    const config = loadConfig(pipeline.env);
    const connection = openQueueConnection(config, { role: 'worker' });
    const queues = new QueueFactory({ connection, prefix: config.queuePrefix, log: createSilentLogger() });
    expect(await queues.queue('feed.call-handling').remove(`ingest-${runId}-1`)).toBe(1);
    await queues.close();
    await closeQueueConnection(connection);

    await pipeline.startWorkers();
    expect((await pipeline.rollcall('drain', '--timeout', '60')).code).toBe(0);
    const lost = await statusOf(pipeline);
    expect(lost.status).toBe('critical');
    expect(lost.ingestRuns[0]).toMatchObject({
      queuedEvents: 3001,
      processedEvents: 2001,
      inQueue: 0,
      missing: [{ jobId: `ingest-${runId}-1`, firstLine: 1001, lastLine: 2000 }],
    });
    expect(lost.reasons).toContain(
      `ingest: calls.ndjson (feed call-handling, run ${runId}) queued 3001 events, 2001 stored, duplicate or rejected; 1 job(s) missing from the queues: ` +
        `job ingest-${runId}-1 lines 1001-2000 (1000 events, 0 processed); run rollcall ingest --feed call-handling --resume <file>`,
    );

    const resumed = await pipeline.rollcall('ingest', '--feed', 'call-handling', '--resume', path);
    expect(resumed.stdout).toMatch(
      new RegExp(
        `^resuming run ${runId} of \\S+: 1 job\\(s\\) lost from the queues, 0 still queued\\n.*in 1 job\\(s\\)`,
      ),
    );
    expect((await pipeline.rollcall('drain', '--timeout', '60')).code).toBe(0);
    const whole = await statusOf(pipeline);
    expect(whole.ingestRuns[0]).toMatchObject({ queuedEvents: 3001, processedEvents: 3001, inQueue: 0, missing: [] });
    expect(whole.reasons.filter((reason) => reason.startsWith('ingest:'))).toEqual([]);
    const calls = accountingTotals(whole.accounting, 'call-handling');
    // Exactly once: the resumed job's events were new, the rejected line was not kept twice.
    expect([calls.offered, calls.stored, calls.duplicate, calls.rejected]).toEqual([3002, 3000, 1, 1]);
  });

  it('refuses to resume a file no run recorded', async () => {
    const path = await pipeline.writeFile('other.ndjson', topologyInputs(2)['call-handling']);
    const result = await pipeline.rollcall('ingest', '--feed', 'call-handling', '--resume', path);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('no ingest of other.ndjson onto feed call-handling is recorded');
  });
});
