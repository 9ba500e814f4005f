/**
 * Entities are spread over this many shards per (feed, force) by a hash of their key; the shard
 * is part of the lock identity, so every worker must use the same number (changing it means
 * stopping every worker first).
 */
export const ENTITY_SHARDS = 8;

/** FNV-1a over the entity key: cheap, stable across processes and versions. */
export function shardOf(forceId: string, kind: string, entityId: string): number {
  let hash = 0x811c9dc5;
  const key = `${forceId}\u0000${kind}\u0000${entityId}`;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % ENTITY_SHARDS;
}
