/** One Redis node's address, as Sentinel and Cluster configurations list them. */
export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Which Redis deployment the queues live on (operations.md, "Redis topologies"):
 * - `single`: one server, `REDIS_URL` (the default).
 * - `sentinel`: a primary and its replicas watched by sentinels, `REDIS_SENTINELS` +
 *   `REDIS_SENTINEL_NAME`; clients ask the sentinels where the primary is and follow a failover.
 * - `cluster`: `REDIS_CLUSTER_NODES`, any of the cluster's nodes (the client discovers the rest).
 *   Every queue key then carries the hash tag `{QUEUE_PREFIX}` so BullMQ's scripts, which touch
 *   several keys of a queue at once, find them in one slot.
 */
export type RedisTopology =
  | { readonly kind: 'single'; readonly url: string }
  | { readonly kind: 'sentinel'; readonly sentinels: readonly RedisNodeAddress[]; readonly name: string }
  | { readonly kind: 'cluster'; readonly nodes: readonly RedisNodeAddress[] };

const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/** `host:port,host:port` into addresses, or the first entry that is not one. */
export function parseNodeList(text: string): { nodes: RedisNodeAddress[] } | { bad: string } {
  const nodes: RedisNodeAddress[] = [];
  for (const entry of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = HOST_PORT.exec(entry);
    const port = Number(match?.[2]);
    if (!match?.[1] || port < 1 || port > 65_535) return { bad: entry };
    nodes.push({ host: match[1].replace(/^\[|\]$/g, ''), port });
  }
  return nodes.length > 0 ? { nodes } : { bad: text };
}

/**
 * The topology the Redis variables describe, or the problems with them (one sentence each). At
 * most one of Sentinel and Cluster may be configured; REDIS_URL is then not used.
 */
export function redisTopologyOf(vars: {
  readonly url: string;
  readonly sentinels: string | undefined;
  readonly sentinelName: string | undefined;
  readonly clusterNodes: string | undefined;
}): { topology: RedisTopology } | { problems: string[] } {
  const problems: string[] = [];
  if (vars.sentinels !== undefined && vars.clusterNodes !== undefined) {
    problems.push('REDIS_SENTINELS and REDIS_CLUSTER_NODES: set one of them, not both (Sentinel or Cluster)');
  }
  if (vars.sentinels === undefined && vars.sentinelName !== undefined) {
    problems.push('REDIS_SENTINEL_NAME: needs REDIS_SENTINELS, the sentinels to ask for that primary');
  }
  if (vars.sentinels !== undefined) {
    const parsed = parseNodeList(vars.sentinels);
    if ('bad' in parsed)
      problems.push(
        `REDIS_SENTINELS: must be host:port entries separated by commas (${JSON.stringify(parsed.bad)} is not one)`,
      );
    if (vars.sentinelName === undefined)
      problems.push(
        'REDIS_SENTINEL_NAME: required with REDIS_SENTINELS (the name the sentinels monitor, e.g. mymaster)',
      );
    if (problems.length === 0 && 'nodes' in parsed && vars.sentinelName !== undefined) {
      return { topology: { kind: 'sentinel', sentinels: parsed.nodes, name: vars.sentinelName } };
    }
  }
  if (vars.clusterNodes !== undefined) {
    const parsed = parseNodeList(vars.clusterNodes);
    if ('bad' in parsed)
      problems.push(
        `REDIS_CLUSTER_NODES: must be host:port entries separated by commas (${JSON.stringify(parsed.bad)} is not one)`,
      );
    if (problems.length === 0 && 'nodes' in parsed) return { topology: { kind: 'cluster', nodes: parsed.nodes } };
  }
  if (problems.length > 0) return { problems };
  return { topology: { kind: 'single', url: vars.url } };
}

/**
 * The key prefix the queues use on a topology. Under Cluster it is the configured prefix as a
 * hash tag (`{rollcall}`, BullMQ's documented form): every key of every queue, and Rollcall's own
 * keys beside them (epoch, stalled counters), hash to one slot. Elsewhere it is unchanged, so an
 * existing single-server or Sentinel deployment keeps its keys.
 */
export function queuePrefixFor(topology: RedisTopology, prefix: string): string {
  return topology.kind === 'cluster' ? `{${prefix}}` : prefix;
}
