import { deleteKeysWithPrefix } from '@rollcall/queue';
import { createTestDatabase, type TestDatabase } from '@rollcall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpsTestKit } from '../test/ops-test-kit.ts';
import { checkRedisContinuity, REDIS_LOSS_WARN_HOURS } from './redis-continuity.ts';

/**
 * Issue 15's last row: Redis restarted without AOF lost 132,000 acknowledged events and status
 * said "ok". The probe here is the same loss: every key under the prefix gone, as after a restart
 * without persistence.
 */
const kit = createOpsTestKit();
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await kit.close();
  await database.destroy();
});

describe('checkRedisContinuity', () => {
  it('is ok on a first and a repeated check, warns once Redis has lost its keys, and stops warning a day later', async () => {
    const start = Date.parse('2026-12-05T08:00:00Z');
    expect(await checkRedisContinuity(database.db, kit.redis, kit.prefix, start)).toEqual({
      status: 'ok',
      lostDetectedAt: null,
      reason: null,
    });
    expect((await checkRedisContinuity(database.db, kit.redis, kit.prefix, start + 60_000)).status).toBe('ok');

    await deleteKeysWithPrefix(kit.redis, kit.prefix);
    const detected = start + 120_000;
    const lost = await checkRedisContinuity(database.db, kit.redis, kit.prefix, detected);
    expect(lost).toMatchObject({ status: 'warn', lostDetectedAt: new Date(detected).toISOString() });
    expect(lost.reason).toMatch(
      /^Redis lost its data between \S+ and 2026-12-05T08:02:00\.000Z \(restarted without AOF, flushed or replaced\): jobs queued in that time and not yet stored may be gone/,
    );
    // Still warning on the next checks, though Redis has a new epoch by now...
    expect((await checkRedisContinuity(database.db, kit.redis, kit.prefix, detected + 3_600_000)).status).toBe('warn');
    // ...until a day has passed.
    expect(
      (await checkRedisContinuity(database.db, kit.redis, kit.prefix, detected + REDIS_LOSS_WARN_HOURS * 3_600_000 + 1))
        .status,
    ).toBe('ok');
  });

  it('keeps one epoch per queue prefix, so two deployments sharing a PostgreSQL do not alarm each other', async () => {
    const other = `${kit.prefix}-other`;
    try {
      expect((await checkRedisContinuity(database.db, kit.redis, other)).status).toBe('ok');
      expect((await checkRedisContinuity(database.db, kit.redis, other)).status).toBe('ok');
    } finally {
      await deleteKeysWithPrefix(kit.redis, other);
    }
  });
});
