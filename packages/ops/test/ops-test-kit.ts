import { createSilentLogger } from '@rollcall/logger';
import { createRedisConnection, createWorker, QueueFactory } from '@rollcall/queue';
import { createTestRedis } from '@rollcall/testing';
import type { Processor, Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';

/**
 * Test-only (imported by `*.test.ts`, not by the barrel): queues, workers and listeners under a
 * prefix of the test file's own, all closed and deleted by `close()`.
 */
export interface OpsTestKit {
  readonly prefix: string;
  readonly url: string;
  /** A plain connection for direct reads and the stalled counter. */
  readonly redis: Redis;
  queue(name: string): Queue;
  /** A worker as services create it (per-minute metrics on), closed by `close()`. */
  worker<Data = unknown, Result = unknown>(
    name: string,
    processor: Processor<Data, Result>,
    concurrency?: number,
  ): Worker<Data, Result>;
  events(name: string): QueueEvents;
  /** Registers anything else to close (a hand-made worker) before the queues go. */
  track(closable: { close(): Promise<void> }): void;
  close(): Promise<void>;
}

export function createOpsTestKit(): OpsTestKit {
  const testRedis = createTestRedis();
  const log = createSilentLogger();
  const redis = new Redis(testRedis.url, { maxRetriesPerRequest: null });
  const workerConnection = createRedisConnection(testRedis.url, { role: 'worker' });
  const factory = new QueueFactory({
    connection: createRedisConnection(testRedis.url, { role: 'producer' }),
    prefix: testRedis.prefix,
    log,
  });
  const closables: { close(): Promise<void> }[] = [];
  const opened = new Set<string>();
  return {
    prefix: testRedis.prefix,
    url: testRedis.url,
    redis,
    queue(name) {
      opened.add(name);
      return factory.queue(name);
    },
    worker(name, processor, concurrency = 1) {
      const worker = createWorker(name, processor, {
        connection: workerConnection,
        prefix: testRedis.prefix,
        log,
        concurrency,
      });
      closables.push({ close: () => worker.close(true) });
      return worker;
    },
    events(name) {
      const handle = factory.events(name);
      closables.push(handle);
      return handle.events;
    },
    track(closable) {
      closables.push(closable);
    },
    async close() {
      try {
        await Promise.allSettled(closables.map((closable) => closable.close()));
        await Promise.allSettled([...opened].map((name) => factory.queue(name).obliterate({ force: true })));
        await factory.close();
      } finally {
        workerConnection.disconnect();
        redis.disconnect();
        await testRedis.destroy();
      }
    },
  };
}

/** Resolves when `emitter` has emitted `event` `count` times (counting from now). */
export function eventsOf(
  emitter: { on(event: string, listener: (...args: unknown[]) => void): unknown },
  event: string,
  count: number,
): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    emitter.on(event, () => {
      seen += 1;
      if (seen === count) resolve();
    });
  });
}
