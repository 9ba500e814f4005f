import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, requirePseudonymKey } from './config.ts';

describe('loadConfig', () => {
  it('gives local defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/rollcall');
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.timeZone).toBe('Europe/London');
    expect(config.nightly).toEqual({ cron: '30 3 * * *', catchUpDays: 7, deadManHours: 26 });
    expect(config.queueThresholds.lagWarnSeconds).toBe(120);
    expect(config.queueThresholds.lagCriticalSeconds).toBe(300);
    expect(config.suppressMaxCount).toBe(4);
    expect(config.forces).toEqual(['avon-and-somerset']);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ REDIS_URL: '' }).redisUrl).toBe('redis://127.0.0.1:6379');
  });

  it('lists every bad variable on its own line', () => {
    let error: unknown;
    try {
      loadConfig({ API_PORT: 'eighty', TZ_REPORTING: 'Mars/Olympus', QUEUE_PREFIX: 'Has Spaces' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems.find((p) => p.startsWith('API_PORT:'))).toContain('"eighty"');
    expect(problems.find((p) => p.startsWith('TZ_REPORTING:'))).toContain('IANA time zone');
    expect(problems.find((p) => p.startsWith('QUEUE_PREFIX:'))).toContain('lowercase');
  });

  it('never echoes a secret in an error', () => {
    const secret = 'short-secret';
    try {
      loadConfig({ PSEUDONYM_KEY: secret, API_TOKENS: '{not json' });
      expect.unreachable();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('PSEUDONYM_KEY: must be at least 32 characters');
      expect(message).toContain('API_TOKENS: must be a JSON array');
      expect(message).not.toContain(secret);
      expect(message).not.toContain('{not json');
    }
  });

  it('parses API tokens with scopes', () => {
    const sha256 = 'a'.repeat(64);
    const config = loadConfig({ API_TOKENS: JSON.stringify([{ name: 'qlik', sha256, scopes: ['read:snapshots'] }]) });
    expect(config.apiTokens).toEqual([{ name: 'qlik', sha256, scopes: ['read:snapshots'] }]);
    expect(() => loadConfig({ API_TOKENS: JSON.stringify([{ name: 'x', sha256, scopes: ['write:all'] }]) })).toThrow(
      /API_TOKENS at 0\.scopes\.0/,
    );
  });

  it('reads the trend thresholds, 5% and 15% by default, and rejects a strong threshold not above the stable one', () => {
    expect(loadConfig({}).trendThresholds).toEqual({ stablePercent: 5, strongPercent: 15 });
    expect(loadConfig({ TREND_STABLE_PERCENT: '2.5', TREND_STRONG_PERCENT: '10' }).trendThresholds).toEqual({
      stablePercent: 2.5,
      strongPercent: 10,
    });
    expect(() => loadConfig({ TREND_STABLE_PERCENT: '15' })).toThrow(
      /TREND_STRONG_PERCENT: must be above TREND_STABLE_PERCENT/,
    );
    expect(loadConfig({}).nearlyMet).toBe('interval-reaches-target');
    expect(loadConfig({ TARGET_NEARLY_MET: 'off' }).nearlyMet).toBe('off');
    expect(() => loadConfig({ TARGET_NEARLY_MET: 'amber' })).toThrow(/TARGET_NEARLY_MET/);
    expect(() => loadConfig({ TREND_STABLE_PERCENT: '-1' })).toThrow(/TREND_STABLE_PERCENT/);
  });

  it('rejects thresholds in the wrong order', () => {
    expect(() => loadConfig({ QUEUE_LAG_WARN_SECONDS: '600' })).toThrow(/QUEUE_LAG_CRITICAL_SECONDS/);
  });

  it('explains how to set a missing pseudonym key', () => {
    expect(() => requirePseudonymKey(loadConfig({}))).toThrow(/openssl rand -hex 32/);
    const key = 'k'.repeat(32);
    expect(requirePseudonymKey(loadConfig({ PSEUDONYM_KEY: key }))).toBe(key);
  });
});
