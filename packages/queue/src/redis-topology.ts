import type { RedisTopology } from '@rollcall/config';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { type RedisConnectionOptions, reportOutages } from './redis-connection.ts';

/** A connection to any topology: one server or Sentinel (`Redis`), or Cluster (`Cluster`). */
export type RedisClient = Redis | Cluster;

/** Reconnect with a growing pause, capped at 5 s, for ever: an outage ends when Redis returns. */
const reconnectDelay = (attempt: number): number => Math.min(250 * 2 ** Math.min(attempt, 5), 5_000);

/** The per-node options of a role (redis-connection.ts explains the two roles). */
function nodeOptions(options: RedisConnectionOptions): RedisOptions {
  return {
    connectionName: options.name ?? `rollcall-${options.role}`,
    maxRetriesPerRequest: options.role === 'worker' ? null : 1,
    enableOfflineQueue: options.role === 'worker',
    retryStrategy: reconnectDelay,
    enableReadyCheck: true,
  };
}

/**
 * A connection of the given role to the configured topology, with the same outage logging as
 * `createRedisConnection`.
 * - Sentinel: the client asks the sentinels for the primary, and again after losing it, so a
 *   failover is an outage of a few seconds that a worker rides out (its commands wait) and a
 *   producer reports (fails fast). `failoverDetector` also follows a failover whose old primary
 *   stays up (demoted), instead of writing to it until it refuses.
 * - Cluster: the client learns the slots from the nodes given and refreshes them on MOVED or a
 *   lost node, so commands follow a replica promoted in a failover.
 */
export function createTopologyConnection(topology: RedisTopology, options: RedisConnectionOptions): RedisClient {
  const client = connect(topology, options);
  reportOutages(client, options);
  return client;
}

function connect(topology: RedisTopology, options: RedisConnectionOptions): RedisClient {
  switch (topology.kind) {
    case 'single':
      return new Redis(topology.url, nodeOptions(options));
    case 'sentinel':
      return new Redis({
        ...nodeOptions(options),
        sentinels: topology.sentinels.map(({ host, port }) => ({ host, port })),
        name: topology.name,
        role: 'master',
        sentinelRetryStrategy: reconnectDelay,
        failoverDetector: true,
      });
    case 'cluster': {
      const { enableOfflineQueue, ...perNode } = nodeOptions(options);
      return new Cluster(
        topology.nodes.map(({ host, port }) => ({ host, port })),
        {
          redisOptions: perNode,
          enableOfflineQueue: enableOfflineQueue ?? true,
          enableReadyCheck: true,
          clusterRetryStrategy: reconnectDelay,
          // A failover takes cluster-node-timeout plus an election (about 2 s with the 1 s
          // timeout of the tests, 15 s+ with Redis' default): commands to the dead primary's
          // slots are retried this often while the slots move, rather than failing at once.
          retryDelayOnFailover: 200,
          retryDelayOnClusterDown: 200,
        },
      );
    }
  }
}

/** Whether a connection is to a Redis Cluster. */
export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}

/**
 * A new blocking connection like `client` (for QueueEvents and other listeners that wait): it
 * waits for reconnection for ever instead of failing fast, on whatever topology `client` uses.
 */
export function duplicateBlocking(client: RedisClient): RedisClient {
  const blocking: RedisOptions = { maxRetriesPerRequest: null, enableOfflineQueue: true };
  if (isCluster(client)) {
    return client.duplicate(undefined, {
      enableOfflineQueue: true,
      redisOptions: { ...client.options.redisOptions, ...blocking },
    });
  }
  return client.duplicate(blocking);
}

/**
 * The nodes a key scan must visit: every primary of a Cluster (each holds only its own slots), the
 * one server otherwise. Replicas are left out: they hold copies and may lag.
 */
export function scanTargets(client: RedisClient): Redis[] {
  return isCluster(client) ? client.nodes('master') : [client];
}

/** Where a connection points, for error messages: no passwords, as URLs might carry. */
export function describeRedisAddress(client: RedisClient): string {
  if (isCluster(client)) {
    const nodes = client.nodes('all').map((node) => `${node.options.host ?? '?'}:${node.options.port ?? '?'}`);
    return `Redis Cluster (${nodes.length > 0 ? nodes.join(', ') : 'no node reached'})`;
  }
  const { host, port, sentinels, name } = client.options;
  if (sentinels && sentinels.length > 0) {
    return `Redis primary "${name ?? '?'}" via sentinels ${sentinels.map((s) => `${s.host ?? '?'}:${s.port ?? '?'}`).join(', ')}`;
  }
  return `Redis at ${host ?? '127.0.0.1'}:${port ?? 6379}`;
}
