import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RedisNodeAddress, RedisTopology } from '@rollcall/config';
import { Redis } from 'ioredis';
import { closedPort } from '@rollcall/queue/testing';

const run = promisify(execFile);
const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';
const REDIS_CLI = process.env.REDIS_CLI_BIN ?? '/usr/bin/redis-cli';

/**
 * Redis servers of a test's own, started as processes on free loopback ports in a temporary
 * folder: a Cluster (three primaries, three replicas) or a Sentinel group (a primary, a replica,
 * three sentinels). `stop()` kills every process and removes the folder.
 */
export interface RedisServers {
  readonly topology: RedisTopology;
  /** The environment variables that point Rollcall at these servers (REDIS_CLUSTER_NODES, ...). */
  readonly env: Readonly<Record<string, string>>;
  /**
   * Kills (SIGKILL, no chance to save or hand over) the primary that serves `key`, and resolves
   * once a replica has taken its place and the topology answers again; returns the dead port.
   */
  killPrimaryOf(key: string): Promise<number>;
  stop(): Promise<void>;
}

interface RedisProcess {
  readonly port: number;
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
}

/** Polls `condition` every 50 ms until it holds (or throws `describe()` after `timeoutMs`). */
export async function pollUntil(
  condition: () => Promise<boolean>,
  describe: () => string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One command to one server, on a short-lived connection that never retries. */
async function ask(port: number, ...args: (string | number)[]): Promise<unknown> {
  const redis = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1_000,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await redis.call(String(args[0]), ...args.slice(1).map(String));
  } finally {
    redis.disconnect();
  }
}

class ProcessGroup {
  readonly processes: RedisProcess[] = [];
  constructor(readonly dir: string) {}

  async start(args: readonly string[], port: number): Promise<RedisProcess> {
    const child = spawn(REDIS_SERVER, [...args], { cwd: this.dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const started: RedisProcess = { port, child, exited };
    this.processes.push(started);
    await pollUntil(
      async () => (await ask(port, 'PING')) === 'PONG',
      () => `redis-server on port ${port} (exit code ${child.exitCode ?? 'none'}) ${stderr}`,
      10_000,
    );
    return started;
  }

  kill(port: number): Promise<void> {
    const found = this.processes.find((p) => p.port === port);
    if (!found) throw new Error(`no redis-server of this test on port ${port}`);
    found.child.kill('SIGKILL');
    return found.exited;
  }

  async stop(): Promise<void> {
    for (const { child } of this.processes)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(this.processes.map((p) => p.exited));
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Settings of every server: no persistence (a test's data lives as long as it does). */
const commonArgs = (port: number, dir: string): string[] => [
  '--port',
  String(port),
  '--bind',
  '127.0.0.1',
  '--dir',
  dir,
  '--save',
  '',
  '--appendonly',
  'no',
  '--logfile',
  join(dir, `redis-${port}.log`),
  '--maxmemory-policy',
  'noeviction',
];

/** Fails at once, naming what is missing, where `redis-server` is not installed. */
async function assertRedisInstalled(): Promise<void> {
  await run(REDIS_SERVER, ['--version']).catch((error: unknown) => {
    throw new Error(
      `${REDIS_SERVER} is needed to start Redis Cluster and Sentinel for this test (apt-get install redis-server): ${String(error)}`,
    );
  });
}

/**
 * Three primaries and three replicas, each slot served; a primary is declared failed after
 * `nodeTimeoutMs` without answering (1 s: failovers in a test take about 2 s, not Redis' 15 s).
 */
export async function startRedisCluster(options: { nodeTimeoutMs?: number } = {}): Promise<RedisServers> {
  await assertRedisInstalled();
  const group = new ProcessGroup(await mkdtemp(join(tmpdir(), 'rollcall-redis-cluster-')));
  try {
    const ports: number[] = [];
    for (let i = 0; i < 6; i++) {
      const port = await closedPort();
      // The bus port is chosen too: the default (port + 10000) may be above 65535 or taken.
      const busPort = await closedPort();
      await group.start(
        [
          ...commonArgs(port, group.dir),
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--cluster-node-timeout',
          String(options.nodeTimeoutMs ?? 1_000),
          '--cluster-port',
          String(busPort),
          // A replica whose primary is long gone still takes over (the tests kill primaries).
          '--cluster-replica-validity-factor',
          '0',
        ],
        port,
      );
      ports.push(port);
    }
    await run(REDIS_CLI, [
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ]);
    await pollUntil(
      async () => (await Promise.all(ports.map((port) => clusterSettled(port)))).every(Boolean),
      () => 'cluster state ok on all 6 nodes, 3 primaries with a replica each',
    );
    const nodes: RedisNodeAddress[] = ports.map((port) => ({ host: '127.0.0.1', port }));
    return {
      topology: { kind: 'cluster', nodes },
      env: { REDIS_CLUSTER_NODES: nodes.map(({ host, port }) => `${host}:${port}`).join(',') },
      killPrimaryOf: async (key) => {
        const alive = group.processes
          .filter((p) => p.child.exitCode === null && p.child.signalCode === null)
          .map((p) => p.port);
        const slot = Number(await ask(alive[0] ?? 0, 'CLUSTER', 'KEYSLOT', key));
        const owner = primaryOfSlot(String(await ask(alive[0] ?? 0, 'CLUSTER', 'NODES')), slot);
        await group.kill(owner);
        const survivors = alive.filter((port) => port !== owner);
        await pollUntil(
          async () => {
            for (const port of survivors) {
              const info = String(await ask(port, 'CLUSTER', 'INFO'));
              if (!info.includes('cluster_state:ok')) return false;
              const newOwner = primaryOfSlot(String(await ask(port, 'CLUSTER', 'NODES')), slot);
              if (newOwner === owner) return false;
            }
            return true;
          },
          () => `a replica of 127.0.0.1:${owner} promoted and the cluster ok`,
        );
        return owner;
      },
      stop: () => group.stop(),
    };
  } catch (error) {
    await group.stop();
    throw error;
  }
}

/** Whether a node sees the cluster ok, with three primaries and three connected replicas. */
async function clusterSettled(port: number): Promise<boolean> {
  const info = String(await ask(port, 'CLUSTER', 'INFO'));
  if (!info.includes('cluster_state:ok')) return false;
  const lines = String(await ask(port, 'CLUSTER', 'NODES'))
    .trim()
    .split('\n');
  const connected = lines.filter((line) => line.includes(' connected'));
  return (
    connected.filter((line) => / (myself,)?master /.test(line)).length === 3 &&
    connected.filter((line) => / (myself,)?slave /.test(line)).length === 3
  );
}

/** The port of the primary serving `slot`, from CLUSTER NODES. */
function primaryOfSlot(nodes: string, slot: number): number {
  for (const line of nodes.trim().split('\n')) {
    const fields = line.split(' ');
    if (!/master/.test(fields[2] ?? '') || /fail/.test(fields[2] ?? '')) continue;
    for (const range of fields.slice(8)) {
      const [from, to] = range.split('-').map(Number);
      if (from !== undefined && slot >= from && slot <= (to ?? from)) return Number((fields[1] ?? '').split(/[:@]/)[1]);
    }
  }
  throw new Error(`no primary serves slot ${slot}`);
}

export const SENTINEL_NAME = 'rollcall-primary';

/**
 * A primary, its replica and three sentinels (quorum 2); the primary is declared down after
 * `downAfterMs` without answering (1 s), so a failover in a test takes about 2 s.
 */
export async function startRedisSentinel(options: { downAfterMs?: number } = {}): Promise<RedisServers> {
  await assertRedisInstalled();
  const group = new ProcessGroup(await mkdtemp(join(tmpdir(), 'rollcall-redis-sentinel-')));
  try {
    const primary = await closedPort();
    const replica = await closedPort();
    await group.start(commonArgs(primary, group.dir), primary);
    await group.start([...commonArgs(replica, group.dir), '--replicaof', '127.0.0.1', String(primary)], replica);
    const sentinels: number[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await closedPort();
      // A sentinel rewrites its own configuration file, so each gets a writable one.
      const file = join(group.dir, `sentinel-${port}.conf`);
      await writeFile(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${group.dir}`,
          `logfile ${join(group.dir, `sentinel-${port}.log`)}`,
          `sentinel monitor ${SENTINEL_NAME} 127.0.0.1 ${primary} 2`,
          `sentinel down-after-milliseconds ${SENTINEL_NAME} ${options.downAfterMs ?? 1_000}`,
          `sentinel failover-timeout ${SENTINEL_NAME} 10000`,
          `sentinel parallel-syncs ${SENTINEL_NAME} 1`,
          '',
        ].join('\n'),
      );
      await group.start([file, '--sentinel'], port);
      sentinels.push(port);
    }
    await pollUntil(
      async () => {
        const link = String(await ask(replica, 'INFO', 'replication'));
        if (!link.includes('master_link_status:up')) return false;
        for (const port of sentinels) {
          const address = (await ask(port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_NAME)) as string[] | null;
          if (Number(address?.[1]) !== primary) return false;
          // Each sentinel must know the replica and the two other sentinels to fail over.
          if (((await ask(port, 'SENTINEL', 'REPLICAS', SENTINEL_NAME)) as unknown[]).length !== 1) return false;
          if (((await ask(port, 'SENTINEL', 'SENTINELS', SENTINEL_NAME)) as unknown[]).length !== 2) return false;
        }
        return true;
      },
      () =>
        `replica 127.0.0.1:${replica} in sync and every sentinel seeing 127.0.0.1:${primary}, the replica and the others`,
    );
    const sentinelAddresses: RedisNodeAddress[] = sentinels.map((port) => ({ host: '127.0.0.1', port }));
    return {
      topology: { kind: 'sentinel', sentinels: sentinelAddresses, name: SENTINEL_NAME },
      env: {
        REDIS_SENTINELS: sentinelAddresses.map(({ host, port }) => `${host}:${port}`).join(','),
        REDIS_SENTINEL_NAME: SENTINEL_NAME,
      },
      killPrimaryOf: async () => {
        const address = (await ask(
          sentinels[0] ?? 0,
          'SENTINEL',
          'GET-MASTER-ADDR-BY-NAME',
          SENTINEL_NAME,
        )) as string[];
        const current = Number(address[1]);
        await group.kill(current);
        await pollUntil(
          async () => {
            for (const port of sentinels) {
              const now = (await ask(port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_NAME)) as string[];
              if (Number(now[1]) === current) return false;
            }
            const role = String(await ask(current === primary ? replica : primary, 'ROLE'));
            return role.startsWith('master');
          },
          () => `the sentinels promoting a replica of 127.0.0.1:${current}`,
        );
        return current;
      },
      stop: () => group.stop(),
    };
  } catch (error) {
    await group.stop();
    throw error;
  }
}
