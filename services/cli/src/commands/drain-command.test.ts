import { createSilentLogger } from '@rollcall/logger';
import { createRedisConnection, QueueFactory } from '@rollcall/queue';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '@rollcall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedIo } from '../captured-io.ts';
import { runCli } from '../run-cli.ts';

let test: TestDatabase;
let redis: TestRedis;
let queues: QueueFactory;
const producer = () => createRedisConnection(redis.url, { role: 'producer' });
let connection: ReturnType<typeof producer>;

beforeAll(async () => {
  test = await createTestDatabase();
  redis = createTestRedis();
  connection = producer();
  queues = new QueueFactory({ connection, prefix: redis.prefix, log: createSilentLogger() });
});
afterAll(async () => {
  await queues?.close();
  connection?.disconnect();
  await redis?.destroy();
  await test?.destroy();
});

describe('rollcall drain while jobs are outstanding (issue 15)', () => {
  it('says which queues it waits for and how many jobs in which state, while it waits and when it gives up', async () => {
    // Nothing consumes them: no worker runs in this test.
    await queues.queue('feed.dvpo').add('feed-batch', { events: [] }, { jobId: 'w-1' });
    await queues.queue('feed.dvpo').add('feed-batch', { events: [] }, { jobId: 'w-2' });
    await queues.queue('feed.call-handling').add('feed-batch', { events: [] }, { jobId: 'd-1', delay: 3_600_000 });

    const io = capturedIo({
      DATABASE_URL: test.url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: redis.prefix,
      LOG_LEVEL: 'silent',
    });
    const code = await runCli(['drain', '--timeout', '1'], io);
    const { stdout, stderr } = io.output();
    expect(code).toBe(1);
    expect(stdout).toBe('');
    const lines = stderr.trimEnd().split('\n');
    // First what it waits for, at once; last why it gave up, in the same terms.
    expect(lines[0]).toBe('rollcall drain: waiting for feed.call-handling: 1 delayed; feed.dvpo: 2 waiting');
    expect(lines.at(-1)).toBe(
      'rollcall drain: not drained after 1 s: feed.call-handling: 1 delayed; feed.dvpo: 2 waiting (are workers running? rollcall start --role workers)',
    );
  });
});
