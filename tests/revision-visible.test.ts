import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '@rollcall/config';
import { exampleEvent } from '@rollcall/contract';
import { buildApi } from '@rollcall/api';
import { createSilentLogger } from '@rollcall/logger';
import type { SnapshotDocument } from '@rollcall/publishing';
import { createRedisConnection } from '@rollcall/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineHarness } from './support/pipeline-harness.ts';

let harness: PipelineHarness;
const token = randomBytes(18).toString('base64url');

beforeAll(async () => {
  harness = await PipelineHarness.start();
});
afterAll(async () => {
  await harness.close();
});

/** `n` 999 calls of 30 May 2024, answered within 10 s when `fast`. */
const calls = (prefix: string, n: number, fast: boolean) =>
  Array.from({ length: n }, (_, i) => [
    exampleEvent('call.presented', {
      eventId: `${prefix}${i}-p`,
      occurredAt: `2024-05-30T1${i % 10}:00:00Z`,
      payload: { callId: `${prefix}${i}`, btTransferSeconds: 1 },
    }),
    exampleEvent('call.answered', {
      eventId: `${prefix}${i}-a`,
      occurredAt: `2024-05-30T1${i % 10}:00:${fast ? '05' : '30'}Z`,
      payload: { callId: `${prefix}${i}` },
    }),
  ]).flat();

describe('a late event after publication', () => {
  it('produces a revision with [r] marks, visible through the API and the files', async () => {
    await harness.offerEvents(calls('on-time-', 40, true));
    await harness.drain();
    const first = await harness.publish('avon-and-somerset', '2024-05-31');
    expect(first.revision).toBe(1);

    // Twenty late calls, answered slowly, for a day already published.
    await harness.offerEvents(calls('late-', 20, false));
    await harness.drain();
    const [revised] = await harness.reviseStale();
    expect(revised).toMatchObject({ created: true, revision: 2, snapshotId: 'avon-and-somerset_2024-05-31_r2' });

    const redis = createRedisConnection(harness.redis.url, { role: 'producer' });
    const config = loadConfig({
      API_TOKENS: JSON.stringify([
        { name: 'dashboard', sha256: createHash('sha256').update(token).digest('hex'), scopes: ['read:snapshots'] },
      ]),
    });
    const api = buildApi({
      db: harness.db,
      queues: harness.queues,
      queueConnection: redis,
      config,
      log: createSilentLogger(),
    });
    try {
      const response = await api.inject({
        url: '/v1/snapshots/latest?forceId=avon-and-somerset',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.statusCode).toBe(200);
      const latest = response.json<SnapshotDocument>();
      expect(latest).toMatchObject({
        snapshotId: 'avon-and-somerset_2024-05-31_r2',
        revision: 2,
        supersedes: 'avon-and-somerset_2024-05-31_r1',
      });
      expect(latest.revisionOf?.reasons).toMatchObject({ lateEvents: 40, correctedEvents: 0 });
      const month = latest.measures.find(
        (m) => m.measureId === 'calls.999.answered_within_10s' && m.period.id === 'month' && m.breakdown === null,
      );
      expect(month).toMatchObject({ numerator: 40, denominator: 60, flags: ['[r]'] });

      const csv = await api.inject({
        url: '/v1/snapshots/latest?forceId=avon-and-somerset&format=csv',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(csv.body).toMatch(/avon-and-somerset_2024-05-31_r2,.*,calls\.999\.answered_within_10s,,month,.*\[r\]/);

      const listed = await api.inject({
        url: '/v1/snapshots?forceId=avon-and-somerset',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(JSON.stringify(listed.json())).toContain('avon-and-somerset_2024-05-31_r1');
    } finally {
      await api.close();
      redis.disconnect();
    }

    const file = JSON.parse(
      await readFile(join(harness.snapshotDir, 'avon-and-somerset', 'latest.json'), 'utf8'),
    ) as SnapshotDocument;
    expect(file.snapshotId).toBe('avon-and-somerset_2024-05-31_r2');
    expect(file.measures.some((m) => m.flags.includes('[r]'))).toBe(true);
    const firstFile = JSON.parse(
      await readFile(
        join(harness.snapshotDir, 'avon-and-somerset', '2024-05-31', 'avon-and-somerset_2024-05-31_r1.json'),
        'utf8',
      ),
    ) as SnapshotDocument;
    expect(firstFile.measures.some((m) => m.flags.includes('[r]'))).toBe(false);
  });
});
