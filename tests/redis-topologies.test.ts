import { createTopologyConnection, deleteKeysWithPrefix, waitForRedisReady } from '@rollcall/queue';
import { loadConfig } from '@rollcall/config';
import { afterAll, describe, expect, it } from 'vitest';
import { TOPOLOGIES, topologyInputs, type TopologyName, TopologyPipeline } from './support/topology-pipeline.ts';
import { accountingTotals } from './support/accounting-totals.ts';

/** The snapshot content hash each topology published, compared at the end. */
const published = new Map<TopologyName, string>();
const open: TopologyPipeline[] = [];

afterAll(async () => {
  await Promise.allSettled(open.map((pipeline) => pipeline.close()));
});

describe.each(TOPOLOGIES)('the same inputs through Redis %s', (topology) => {
  let pipeline: TopologyPipeline;

  it('ingests, drains, publishes and accounts for every event', async () => {
    pipeline = await TopologyPipeline.start(topology);
    open.push(pipeline);
    const inputs = topologyInputs(1_200);
    const ingested: string[] = [];
    for (const [feed, lines] of Object.entries(inputs)) {
      const result = await pipeline.rollcall(
        'ingest',
        '--feed',
        feed,
        await pipeline.writeFile(`${feed}.ndjson`, lines),
      );
      expect(result.stderr).toBe('');
      ingested.push(result.stdout.split('\n')[0]?.replace(/^\S+: /, '') ?? '');
    }
    expect(ingested).toEqual([
      '2402 line(s), 2401 accepted onto feed.call-handling in 3 job(s), 1 rejected',
      '12 line(s), 12 accepted onto feed.dvpo in 1 job(s), 0 rejected',
      '7 line(s), 7 accepted onto feed.stop-search in 1 job(s), 0 rejected',
    ]);

    await pipeline.startWorkers();
    const drained = await pipeline.rollcall('drain', '--timeout', '60');
    expect(drained.code).toBe(0);
    expect(drained.stdout).toMatch(/^feed queues drained in \d+\.\d s\n$/);

    const snapshot = await pipeline.rollcall('snapshot', '--as-of', '2024-03-31', '--format', 'json');
    expect(snapshot.code).toBe(0);
    const document = JSON.parse(snapshot.stdout) as {
      contentHash: string;
      measures: { measureId: string; period: { id: string }; breakdown: unknown; numerator: number }[];
    };
    const answered = document.measures.find(
      (m) => m.measureId === 'calls.999.answered_within_10s' && m.period.id === 'month' && m.breakdown === null,
    );
    expect(answered?.numerator).toBe(900);
    published.set(topology, document.contentHash);

    const status = await pipeline.rollcall('status', '--format', 'json');
    const report = JSON.parse(status.stdout) as {
      accounting: { feed: string; offered: number; stored: number; duplicate: number; rejected: number }[];
      accountingMismatches: unknown[];
      reasons: string[];
    };
    const calls = accountingTotals(report.accounting, 'call-handling');
    expect([calls.offered, calls.stored, calls.duplicate, calls.rejected]).toEqual([2402, 2400, 1, 1]);
    expect(report.accountingMismatches).toEqual([]);
    // Queue health, the Redis epoch and the stalled counters read on this topology: the only
    // reason is that no nightly run ever succeeded here.
    expect(report.reasons).toEqual(['nightly: no nightly run has ever succeeded (none has run)']);

    const retry = await pipeline.rollcall('retry-failed', '--queue', 'feed.dvpo');
    expect(retry).toMatchObject({ code: 0, stdout: 'feed.dvpo: re-queued 0 failed job(s)\n' });
  });

  it('keeps every queue key under the prefix, found and deleted on every node', async () => {
    const config = loadConfig(pipeline.env);
    expect(config.queuePrefix).toBe(
      topology === 'cluster' ? `{${pipeline.env.QUEUE_PREFIX}}` : pipeline.env.QUEUE_PREFIX,
    );
    await pipeline.stopWorkers();
    const client = createTopologyConnection(config.redis, { role: 'producer' });
    try {
      await waitForRedisReady(client);
      // Queue meta, events streams, completed sets, the epoch and more: found on every primary.
      expect(await deleteKeysWithPrefix(client, config.queuePrefix)).toBeGreaterThan(10);
      expect(await deleteKeysWithPrefix(client, config.queuePrefix)).toBe(0);
    } finally {
      client.disconnect();
    }
  });
});

describe('across topologies', () => {
  it('publishes the same snapshot content from the same inputs', () => {
    expect([...published.keys()]).toEqual([...TOPOLOGIES]);
    expect(new Set(published.values()).size).toBe(1);
    expect(published.get('single')).toMatch(/^[0-9a-f]{64}$/);
  });
});
