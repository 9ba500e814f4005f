import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('Redis topology from the environment', () => {
  it('is one server at REDIS_URL by default, keys under the plain prefix', () => {
    const config = loadConfig({ REDIS_URL: 'redis://10.0.0.5:6380', QUEUE_PREFIX: 'north' });
    expect(config.redis).toEqual({ kind: 'single', url: 'redis://10.0.0.5:6380' });
    expect(config.queuePrefix).toBe('north');
  });

  it('is Sentinel with REDIS_SENTINELS and REDIS_SENTINEL_NAME, the prefix unchanged', () => {
    const config = loadConfig({
      REDIS_SENTINELS: 'a.local:26379, 10.0.0.2:26380,[::1]:26381',
      REDIS_SENTINEL_NAME: 'mymaster',
    });
    expect(config.redis).toEqual({
      kind: 'sentinel',
      name: 'mymaster',
      sentinels: [
        { host: 'a.local', port: 26379 },
        { host: '10.0.0.2', port: 26380 },
        { host: '::1', port: 26381 },
      ],
    });
    expect(config.queuePrefix).toBe('rollcall');
  });

  it('is Cluster with REDIS_CLUSTER_NODES, every queue key under the prefix as a hash tag', () => {
    const config = loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2:7001', QUEUE_PREFIX: 'north' });
    expect(config.redis).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
    });
    expect(config.queuePrefix).toBe('{north}');
  });

  it.each([
    [
      { REDIS_SENTINELS: 'a:1', REDIS_CLUSTER_NODES: 'b:2', REDIS_SENTINEL_NAME: 'm' },
      'REDIS_SENTINELS and REDIS_CLUSTER_NODES: set one of them, not both (Sentinel or Cluster)',
    ],
    [
      { REDIS_SENTINELS: 'a:1' },
      'REDIS_SENTINEL_NAME: required with REDIS_SENTINELS (the name the sentinels monitor, e.g. mymaster)',
    ],
    [{ REDIS_SENTINEL_NAME: 'm' }, 'REDIS_SENTINEL_NAME: needs REDIS_SENTINELS, the sentinels to ask for that primary'],
    [
      { REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2' },
      'REDIS_CLUSTER_NODES: must be host:port entries separated by commas ("10.0.0.2" is not one)',
    ],
    [
      { REDIS_CLUSTER_NODES: 'x:70000' },
      'REDIS_CLUSTER_NODES: must be host:port entries separated by commas ("x:70000" is not one)',
    ],
  ])('refuses %j, saying why', (env, problem) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toContain(problem);
  });
});
