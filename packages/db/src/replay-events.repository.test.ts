import { createTestDatabase, type TestDatabase } from '../test/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { copyOutInSnapshot } from './copy-out.ts';
import { insertNewEvents, type NewEvent } from './events.repository.ts';
import {
  beginReplay,
  copyEventsInEntityOrder,
  exportReplaySnapshot,
  type ReplayEventRow,
  replayShardHashes,
} from './replay-events.repository.ts';

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  await test.destroy();
});

// What COPY's text format escapes (backslash, tab, newline, carriage return) and what it does not.
const AWKWARD = 'tab\there, new\nline, cr\r, back\\slash, "quoted", \\N, \\t as text, é, 🚓, \u0001';

const event = (eventId: string, entityId: string, at: string, payload: Record<string, unknown>): NewEvent => ({
  feed: 'call-handling',
  eventId,
  type: 'call.answered',
  forceId: 'avon-and-somerset',
  occurredAt: at,
  entityKind: 'call',
  entityId,
  contentHash: `hash-${eventId}`,
  body: { eventId, payload },
});

/** Every row of `count` shards, read in one exported snapshot, the rows of each shard in turn. */
async function readShards(count: number): Promise<ReplayEventRow[][]> {
  return test.db.transaction().execute(async (trx) => {
    await beginReplay(trx, { rebuildEntities: false });
    const snapshot = await exportReplaySnapshot(trx);
    const shards: ReplayEventRow[][] = [];
    for (let index = 0; index < count; index++) {
      const rows: ReplayEventRow[] = [];
      for await (const chunk of copyEventsInEntityOrder(test.db, snapshot, { index, count })) rows.push(...chunk);
      shards.push(rows);
    }
    return shards;
  });
}

describe('copyEventsInEntityOrder', () => {
  beforeAll(async () => {
    const events: NewEvent[] = [];
    // 60 entities of 1 to 3 events, inserted out of entity order; payloads big enough that the
    // COPY output spans several network chunks.
    for (let n = 0; n < 60; n++)
      for (let k = 0; k <= n % 3; k++)
        events.push(
          event(`e-${k}-${n}`, `c-${(n * 37) % 60}`, `2022-03-01T10:${String(k).padStart(2, '0')}:06.123Z`, {
            note: AWKWARD,
            padding: 'x'.repeat(2_000),
            n,
          }),
        );
    events.push(event('no-payload', 'c-none', '2022-03-02T00:00:00Z', {}));
    await insertNewEvents(test.db, events.reverse());
    await test.db
      .updateTable('events')
      .set({ envelope: { eventId: 'no-payload' }, payload: null })
      .where('event_id', '=', 'no-payload')
      .execute();
  });

  it('gives every event with its payload exactly as stored, awkward characters and all', async () => {
    const [rows = []] = await readShards(1);
    expect(rows).toHaveLength(121);
    const row = rows.find((r) => r.event_id === 'e-2-5');
    expect(row).toEqual({
      event_id: 'e-2-5',
      type: 'call.answered',
      at: Date.parse('2022-03-01T10:02:06.123Z'),
      force_id: 'avon-and-somerset',
      entity_kind: 'call',
      entity_id: `c-${(5 * 37) % 60}`,
      payload: { note: AWKWARD, padding: 'x'.repeat(2_000), n: 5 },
    });
    expect(rows.find((r) => r.event_id === 'no-payload')?.payload).toBeNull();
  });

  it("keeps each entity's events together, and splits entities between shards without losing one", async () => {
    const [one = []] = await readShards(1);
    const three = await readShards(3);
    const runs = (rows: readonly ReplayEventRow[]) =>
      rows.map((r) => r.entity_id).filter((id, i, ids) => id !== ids[i - 1]);
    // An entity appears as one run of rows: no entity id comes back after another's.
    expect(new Set(runs(one)).size).toBe(runs(one).length);
    for (const shard of three) expect(new Set(runs(shard)).size).toBe(runs(shard).length);
    const entitiesOf = (rows: readonly ReplayEventRow[]) => new Set(rows.map((r) => r.entity_id));
    const [a, b, c] = three.map(entitiesOf);
    expect([...a!].filter((id) => b!.has(id) || c!.has(id))).toEqual([]);
    expect(
      three
        .flat()
        .map((r) => r.event_id)
        .sort(),
    ).toEqual(one.map((r) => r.event_id).sort());
    expect(three.every((shard) => shard.length > 0)).toBe(true);
  });

  it('gives each shard twice the hashes of the one before, covering all of them once', () => {
    const shards = [0, 1, 2, 3].map((index) => replayShardHashes({ index, count: 4 }));
    expect(shards[0]?.from).toBeNull();
    expect(shards[3]?.to).toBeNull();
    const bounds = [0, ...shards.slice(1).map((s) => s.from ?? 0), 2 ** 31];
    for (let i = 0; i < 3; i++) expect(shards[i]?.to).toBe(bounds[i + 1]);
    const sizes = bounds.slice(1).map((b, i) => b - bounds[i]!);
    for (let i = 1; i < 4; i++) expect(Math.abs(sizes[i]! / sizes[i - 1]! - 2)).toBeLessThan(1e-6);
    expect(replayShardHashes({ index: 0, count: 1 })).toEqual({ from: null, to: null });
    expect(() => replayShardHashes({ index: 4, count: 4 })).toThrow(RangeError);
  });

  it('splits the hashes into equal lanes, each in doubling shards, covering all of them once', () => {
    const lanes = [0, 1].map((lane) =>
      [0, 1, 2].map((index) => replayShardHashes({ index, count: 3, lane, lanes: 2 })),
    );
    const all = lanes.flat();
    // In order, end to end: each shard begins where the one before ends, from the first hash to the last.
    expect(all[0]?.from).toBeNull();
    expect(all.at(-1)?.to).toBeNull();
    for (let i = 1; i < all.length; i++) expect(all[i]?.from).toBe(all[i - 1]?.to);
    // Lane 1 begins at half the range; within each lane the shards double.
    expect(lanes[1]?.[0]?.from).toBe(2 ** 30);
    expect(lanes[0]?.[2]?.to).toBe(2 ** 30);
    const size = (s: { from: number | null; to: number | null }) => (s.to ?? 2 ** 31) - (s.from ?? 0);
    for (const lane of lanes)
      for (let i = 1; i < 3; i++) expect(Math.abs(size(lane[i]!) / size(lane[i - 1]!) - 2)).toBeLessThan(1e-6);
    expect(() => replayShardHashes({ index: 0, count: 3, lane: 2, lanes: 2 })).toThrow(RangeError);
  });

  it('runs without JIT compilation, in the replay transaction and on the COPY connections', async () => {
    // Compiling every partition's plan with LLVM cost replay more than running it (issue 19).
    const settings = await test.db.transaction().execute(async (trx) => {
      await beginReplay(trx, { rebuildEntities: false });
      const snapshot = await exportReplaySnapshot(trx);
      const { rows } = await sql<{ jit: string }>`select current_setting('jit') as jit`.execute(trx);
      const copied: (string | null)[] = [];
      for await (const chunk of copyOutInSnapshot(test.db, snapshot, `select current_setting('jit')`, (field) =>
        field(),
      ))
        copied.push(...chunk);
      return { transaction: rows[0]?.jit, copy: copied };
    });
    expect(settings).toEqual({ transaction: 'off', copy: ['off'] });
  });

  it('sorts on the COPY connections in small runs, which fit the caches, not in one large quicksort', async () => {
    // 16 MB runs cost PostgreSQL 2.5 CPU-µs per replayed event against 3.3-3.5 in 256 MB (issue 19).
    const copied: (string | null)[] = [];
    await test.db.transaction().execute(async (trx) => {
      const snapshot = await exportReplaySnapshot(trx);
      for await (const chunk of copyOutInSnapshot(test.db, snapshot, `select current_setting('work_mem')`, (field) =>
        field(),
      ))
        copied.push(...chunk);
    });
    expect(copied).toEqual(['16MB']);
  });

  it('lets one replay run at a time: a second waits for the first to commit', async () => {
    let releaseFirst!: () => void;
    const firstMayCommit = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstBegun!: () => void;
    const firstHasBegun = new Promise<void>((resolve) => (firstBegun = resolve));
    const order: string[] = [];
    const first = test.db.transaction().execute(async (trx) => {
      await beginReplay(trx, { rebuildEntities: false });
      firstBegun();
      await firstMayCommit;
      order.push('first commits');
    });
    await firstHasBegun;
    const second = test.db.transaction().execute(async (trx) => {
      await beginReplay(trx, { rebuildEntities: false });
      order.push('second begun');
    });
    // The second is seen waiting for replay's lock before the first is let go.
    for (;;) {
      const { rows } = await sql<{ waiting: string }>`
        select count(*) as waiting from pg_locks where locktype = 'advisory' and not granted
          and pid in (select pid from pg_stat_activity where datname = current_database())`.execute(test.db);
      if (Number(rows[0]?.waiting) > 0) break;
    }
    releaseFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(['first commits', 'second begun']);
  });
});
