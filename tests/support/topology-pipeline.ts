import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capturedIo, loadServiceRoles, runCli } from '@rollcall/cli';
import { exampleEvent } from '@rollcall/contract';
import type { QueueBackendKind } from '@rollcall/queue';
import { type GracefulShutdown, runServices } from '@rollcall/runtime';
import {
  createTestDatabase,
  createTestRedis,
  type RedisServers,
  startRedisCluster,
  startRedisSentinel,
  TEST_PSEUDONYM_KEY,
  type TestDatabase,
} from '@rollcall/testing';

export const TOPOLOGIES = ['single', 'sentinel', 'cluster'] as const;
export type TopologyName = (typeof TOPOLOGIES)[number];

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * One pipeline (its own database, queue prefix, folder) on one Redis topology, driven through the
 * `rollcall` command in this process and the worker role started as `rollcall start` does.
 */
export class TopologyPipeline {
  private workers: { shutdown: GracefulShutdown; running: Promise<void> } | undefined;

  private constructor(
    readonly topology: TopologyName,
    readonly database: TestDatabase,
    readonly servers: RedisServers | undefined,
    private readonly destroyRedis: () => Promise<void>,
    readonly dir: string,
    readonly env: Record<string, string>,
  ) {}

  /** `queueBackend` `postgres` puts the queues in the pipeline's database instead (topology `single` only). */
  static async start(
    topology: TopologyName,
    options: { queueBackend?: QueueBackendKind } = {},
  ): Promise<TopologyPipeline> {
    const database = await createTestDatabase();
    const testRedis = createTestRedis();
    const servers =
      topology === 'cluster'
        ? await startRedisCluster()
        : topology === 'sentinel'
          ? await startRedisSentinel()
          : undefined;
    const dir = await mkdtemp(join(tmpdir(), `rollcall-${topology}-`));
    const env: Record<string, string> = {
      DATABASE_URL: database.url,
      ...(servers ? servers.env : { REDIS_URL: testRedis.url }),
      QUEUE_PREFIX: testRedis.prefix,
      QUEUE_BACKEND: options.queueBackend ?? 'redis',
      PSEUDONYM_KEY: TEST_PSEUDONYM_KEY,
      SNAPSHOT_DIR: join(dir, 'snapshots'),
      LOG_LEVEL: 'silent',
      // Jobs of a killed worker (or of a primary lost mid-job) are taken over within seconds.
      WORKER_LOCK_SECONDS: '5',
    };
    const destroyRedis = servers ? () => servers.stop() : () => testRedis.destroy();
    return new TopologyPipeline(topology, database, servers, destroyRedis, dir, env);
  }

  /** `rollcall <args>` in this process, both streams captured. */
  async rollcall(...args: string[]): Promise<CliResult> {
    const io = capturedIo(this.env);
    const code = await runCli(args, io);
    return { code, ...io.output() };
  }

  async writeFile(name: string, lines: readonly string[]): Promise<string> {
    const path = join(this.dir, name);
    await writeFile(path, `${lines.join('\n')}\n`);
    return path;
  }

  /** Starts the feed workers role in this process, resolving once they run. */
  async startWorkers(): Promise<void> {
    let started: (() => void) | undefined;
    const ready = new Promise<void>((resolve) => (started = resolve));
    let shutdown: GracefulShutdown | undefined;
    const running = runServices(await loadServiceRoles(['workers']), {
      env: this.env,
      handleSignals: false,
      onStarted: (handle) => {
        shutdown = handle;
        started?.();
      },
    });
    await Promise.race([ready, running]);
    if (!shutdown) throw new Error('the workers role stopped before it started');
    this.workers = { shutdown, running };
  }

  async stopWorkers(): Promise<void> {
    await this.workers?.shutdown.shutdown('test finished');
    await this.workers?.running;
    this.workers = undefined;
  }

  async close(): Promise<void> {
    await this.stopWorkers();
    await this.destroyRedis();
    await this.database.destroy();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * NDJSON files of March 2024 for Avon and Somerset: `calls` 999 calls (two events each, one in
 * four answered after 10 s), a duplicate line, an invalid line, six DVPO cases and seven searches.
 */
export function topologyInputs(calls: number): Record<'call-handling' | 'dvpo' | 'stop-search', string[]> {
  const line = (event: unknown) => JSON.stringify(event);
  const callLines: string[] = [];
  for (let i = 0; i < calls; i++) {
    const callId = `call-${i}`;
    const presentedAt = `2024-03-${String(1 + (i % 28)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:00:00Z`;
    const answeredAt = new Date(Date.parse(presentedAt) + (i % 4 === 0 ? 20_000 : 5_000)).toISOString();
    callLines.push(
      line(
        exampleEvent('call.presented', {
          eventId: `${callId}-p`,
          occurredAt: presentedAt,
          payload: { callId, btTransferSeconds: 2 },
        }),
      ),
    );
    callLines.push(
      line(exampleEvent('call.answered', { eventId: `${callId}-a`, occurredAt: answeredAt, payload: { callId } })),
    );
  }
  callLines.push(
    callLines[0] ?? '',
    line(exampleEvent('call.presented', { eventId: 'no-offset', occurredAt: '2024-03-11T09:00:00' })),
  );
  const dvpo: string[] = [];
  for (let i = 0; i < 6; i++) {
    dvpo.push(
      line(
        exampleEvent('dvpo.applied', {
          eventId: `d-${i}-a`,
          occurredAt: `2024-03-0${1 + i}T10:00:00Z`,
          payload: { caseRef: `case-${i}`, subjectRef: `SUBJECT-${i}` },
        }),
      ),
    );
    dvpo.push(
      line(
        exampleEvent('dvpo.decided', {
          eventId: `d-${i}-d`,
          occurredAt: `2024-03-0${2 + i}T10:00:00Z`,
          payload: { caseRef: `case-${i}`, outcome: 'granted' },
        }),
      ),
    );
  }
  const searches: string[] = [];
  for (let i = 0; i < 7; i++)
    searches.push(
      line(
        exampleEvent('stop-search.recorded', {
          eventId: `s-${i}`,
          occurredAt: `2024-03-1${i}T14:00:00Z`,
          payload: { recordId: `rec-${i}` },
        }),
      ),
    );
  return { 'call-handling': callLines, dvpo, 'stop-search': searches };
}
