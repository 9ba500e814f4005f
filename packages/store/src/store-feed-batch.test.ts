import { checkAccounting, readAccounting, readDailyAggregates } from '@rollcall/db';
import { exampleEvent } from '@rollcall/contract';
import { createSilentLogger } from '@rollcall/logger';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { answered, presented, useEmptiedStoreDatabase, whileEventRefused } from '../test/store-test-kit.ts';
import { shardOf } from './entity-shards.ts';
import { replayAggregates } from './replay-aggregates.ts';
import { type PreparedInputs, prepareInputs, prepareInputsInSlices, storeFeedBatch } from './store-feed-batch.ts';
import { testIngestContext } from '@rollcall/testing';
import { scrubPersonReferences } from '@rollcall/intake';

const { database } = useEmptiedStoreDatabase();
const context = testIngestContext();

describe('storeFeedBatch', () => {
  it('stores events, folds entities and writes aggregates and accounting in one go', async () => {
    const outcome = await storeFeedBatch(
      database().db,
      { feed: 'call-handling', inputs: [presented('c1'), answered('c1'), presented('c2')], source: 'test' },
      context,
    );
    expect(outcome).toEqual({ offered: 3, stored: 3, duplicate: 0, rejected: 0, staleSnapshotHeads: 0 });
    const aggregates = await readDailyAggregates(database().db);
    expect(aggregates.map((a) => `${a.day} ${a.metric} ${a.dim} ${a.value}`)).toEqual([
      '2022-03-01 calls.999.answer_bins 7 1',
      '2022-03-01 calls.999.answer_ms  7000',
      '2022-03-01 calls.999.answered  1',
      '2022-03-01 calls.answered 999 1',
      '2022-03-01 calls.presented 999 2',
    ]);
    const entities = await database()
      .db.selectFrom('entities')
      .select(['entity_id', 'status'])
      .orderBy('entity_id')
      .execute();
    expect(entities).toEqual([
      { entity_id: 'c1', status: 'answered' },
      { entity_id: 'c2', status: 'waiting' },
    ]);
  });

  it('gives the same aggregates when the answer arrives in an earlier batch than its call', async () => {
    await storeFeedBatch(database().db, { feed: 'call-handling', inputs: [answered('c1')], source: 'test' }, context);
    expect(await readDailyAggregates(database().db)).toEqual([]);
    await storeFeedBatch(database().db, { feed: 'call-handling', inputs: [presented('c1')], source: 'test' }, context);
    expect((await readDailyAggregates(database().db)).find((a) => a.metric === 'calls.999.answer_ms')?.value).toBe(
      7000,
    );
  });

  it('treats the same eventId and content as a duplicate, and different content as a conflict kept with its reason', async () => {
    await storeFeedBatch(database().db, { feed: 'call-handling', inputs: [presented('c1')], source: 'test' }, context);
    const changed = presented('c1', '2022-03-01T11:00:00Z');
    // The same instant written with another offset is the same content.
    const sameInstant = { ...presented('c1'), occurredAt: '2022-03-01T10:00:00+00:00' };
    const outcome = await storeFeedBatch(
      database().db,
      { feed: 'call-handling', inputs: [sameInstant, changed], source: 'job 7' },
      context,
    );
    expect(outcome).toMatchObject({ offered: 2, stored: 0, duplicate: 1, rejected: 1 });
    const [rejected] = await database().db.selectFrom('rejected_events').selectAll().execute();
    expect(rejected).toMatchObject({
      feed: 'call-handling',
      event_id: 'c1-p',
      source: 'job 7',
      force_id: 'avon-and-somerset',
    });
    expect(rejected?.reason).toMatch(/^eventId: conflict, "c1-p" was already stored with different content/);
    expect(JSON.parse(rejected!.payload)).toMatchObject({ occurredAt: '2022-03-01T11:00:00Z' });
    expect((await readDailyAggregates(database().db)).find((a) => a.metric === 'calls.presented')?.value).toBe(1);
  });

  it('sorts out duplicates and conflicts within one batch', async () => {
    const outcome = await storeFeedBatch(
      database().db,
      {
        feed: 'call-handling',
        inputs: [presented('c1'), presented('c1'), presented('c1', '2022-03-01T12:00:00Z')],
        source: 'test',
      },
      context,
    );
    expect(outcome).toMatchObject({ stored: 1, duplicate: 1, rejected: 1 });
  });

  it('rejects invalid events with their reasons and never crashes on them', async () => {
    const inputs = [
      'not an object',
      { ...presented('c1'), schemaVersion: 2 },
      { ...presented('c2'), forceId: 'atlantis' },
      { ...presented('c3'), occurredAt: '2022-03-01T10:00:00' },
      { ...presented('c4'), payload: { callId: 'c4', channel: '999', queue: 'primary' } },
      { ...presented('c5'), payload: { ...presented('c5').payload, note: 'bad \u0000 byte' } },
      { ...presented('c6'), feed: 'dvpo' },
      presented('ok'),
    ];
    const outcome = await storeFeedBatch(database().db, { feed: 'call-handling', inputs, source: 'test' }, context);
    expect(outcome).toMatchObject({ offered: 8, stored: 1, duplicate: 0, rejected: 7 });
    const reasons = (await database().db.selectFrom('rejected_events').select('reason').orderBy('id').execute()).map(
      (r) => r.reason,
    );
    expect(reasons).toEqual([
      'event must be a JSON object (got a string that is not JSON)',
      'schemaVersion: unknown version 2; this pipeline reads version 1 only',
      'forceId: unknown force "atlantis" (not in the reference data)',
      'occurredAt: must be an ISO 8601 time with seconds and an explicit offset (Z or ±hh:mm)',
      'payload.btTransferSeconds: required for 999 calls',
      'payload.note: contains a NUL character or an unpaired surrogate, which cannot be stored',
      'feed: "dvpo" does not match the queue it arrived on (feed.call-handling)',
    ]);
  });

  it('keeps offered = stored + duplicate + rejected per feed and force, matching the tables', async () => {
    const unknownForce = { ...presented('c9'), forceId: 'gotham-city' };
    await storeFeedBatch(
      database().db,
      { feed: 'call-handling', inputs: [presented('c1'), presented('c1'), { junk: true }, unknownForce], source: 't' },
      context,
    );
    await storeFeedBatch(
      database().db,
      { feed: 'call-handling', inputs: [presented('c1'), answered('c1')], source: 't' },
      context,
    );
    const rows = await readAccounting(database().db);
    expect(rows).toEqual([
      { feed: 'call-handling', forceId: '', stored: 0, duplicate: 0, rejected: 2, offered: 2 },
      { feed: 'call-handling', forceId: 'avon-and-somerset', stored: 2, duplicate: 2, rejected: 0, offered: 4 },
    ]);
    const checks = await checkAccounting(database().db);
    expect(checks.length).toBeGreaterThan(0);
    for (const check of checks) {
      expect(check.accountedStored).toBe(check.eventsInTable);
      expect(check.accountedRejected).toBe(check.rejectedInTable);
    }
  });

  it('never stores a person reference in clear, accepted or rejected', async () => {
    const circulated = exampleEvent('wanted.circulated', { payload: { personRef: 'PNC-SECRET-42' } });
    const broken = {
      ...exampleEvent('wanted.circulated', { eventId: 'w-2', payload: { personRef: 'PNC-SECRET-43' } }),
      schemaVersion: 9,
    };
    await storeFeedBatch(database().db, { feed: 'wanted-persons', inputs: [circulated, broken], source: 't' }, context);
    const dump = await sql<{ text: string }>`
      select coalesce((select string_agg(concat_ws(' ', envelope::text, payload::text), ' ') from events), '') ||
             coalesce((select string_agg(facts::text, ' ') from entities), '') ||
             coalesce((select string_agg(payload, ' ') from rejected_events), '') as text`.execute(database().db);
    const text = dump.rows[0]!.text;
    expect(text).toContain('psn_');
    expect(text).not.toContain('PNC-SECRET');
  });

  it('pseudonymises person references wherever a producer puts them, and refuses hostile nesting without crashing', async () => {
    // The contract's objects are open: unknown fields are kept, so a reference can turn up anywhere.
    const nested = {
      ...presented('c1'),
      payload: { ...presented('c1').payload, notes: [{ caller: { personRef: 'PNC-SECRET-44' } }] },
      subjectRef: 'PNC-SECRET-45',
    };
    let deep: unknown = { personRef: 'PNC-SECRET-46' };
    for (let i = 0; i < 20_000; i++) deep = { next: deep };
    const hostile = { ...presented('c2'), payload: { ...presented('c2').payload, deep } };
    const outcome = await storeFeedBatch(
      database().db,
      { feed: 'call-handling', inputs: [nested, hostile], source: 't' },
      context,
    );
    expect(outcome).toMatchObject({ offered: 2, stored: 1, rejected: 1 });
    const [rejection] = await database().db.selectFrom('rejected_events').select(['reason', 'payload']).execute();
    // The event is level 0, so the 32nd level down is payload.deep followed by 30 `next`s.
    expect(rejection!.reason).toBe(`payload.deep${'.next'.repeat(30)}: nested more than 32 levels deep`);
    const [stored] = await database()
      .db.selectFrom('events')
      .select(sql<string>`concat_ws(' ', envelope::text, payload::text)`.as('body'))
      .execute();
    expect(stored!.body).toContain('psn_');
    expect(stored!.body).not.toContain('PNC-SECRET');
    expect(rejection!.payload).not.toContain('PNC-SECRET');
  });

  it('keeps times to the millisecond, so a replay of events with finer times equals live processing', async () => {
    // 9.9996 s from presented to answered: under 10 s to the millisecond, whatever rounding does.
    const inputs = [
      presented('m1', '2022-03-01T10:00:00.0004Z'),
      answered('m1', '2022-03-01T10:00:10.0000Z'),
      presented('m2', '2022-03-31T23:59:59.9999Z'),
    ];
    await storeFeedBatch(database().db, { feed: 'call-handling', inputs, source: 't' }, context);
    const live = await readDailyAggregates(database().db);
    expect((await replayAggregates(database().db, context.calendar)).changedRows).toBe(0);
    expect(await readDailyAggregates(database().db)).toEqual(live);
    const stored = await database()
      .db.selectFrom('events')
      .select(sql<string>`to_char(occurred_at at time zone 'UTC', 'HH24:MI:SS.US')`.as('t'))
      .orderBy('event_id')
      .execute();
    expect(stored.map((row) => row.t)).toEqual(['10:00:10.000000', '10:00:00.000000', '23:59:59.999000']);
  });

  it('stores the payload as the JSON text its content hash was taken over, the same value as offered', async () => {
    // Keys out of order, and text that COPY and JSON both escape: the stored text is written once,
    // for the hash (keys sorted), and copied as it is, its backslashes doubled for COPY only.
    const payload = {
      callId: 'p1',
      zNote: 'a \\ backslash, a "quote", a tab\t, é and \u2028',
      aList: [2, { b: 1, a: null }],
    };
    const input = exampleEvent('call.presented', { eventId: 'p1-p', payload });
    await storeFeedBatch(database().db, { feed: 'call-handling', inputs: [input], source: 't' }, context);
    const [stored] = await database()
      .db.selectFrom('events')
      .select(sql<string>`payload::text`.as('text'))
      .execute();
    expect(JSON.parse(stored?.text ?? 'null')).toEqual(input.payload);
    expect(stored?.text).toBe(
      '{"aList":[2,{"a":null,"b":1}],"btTransferSeconds":2.1,"callId":"p1","channel":"999","queue":"primary","zNote":"a \\\\ backslash, a \\"quote\\", a tab\\t, é and \u2028"}',
    );
  });

  it('treats an already pseudonymised reference as the same event (the CLI pseudonymises before the queue)', async () => {
    const clear = exampleEvent('wanted.circulated', { payload: { personRef: 'PNC-SECRET-47' } });
    const pseudonymised = { ...clear, payload: { ...clear.payload, personRef: context.pseudonymise('PNC-SECRET-47') } };
    const first = await storeFeedBatch(
      database().db,
      { feed: 'wanted-persons', inputs: [pseudonymised], source: 't' },
      context,
    );
    const second = await storeFeedBatch(
      database().db,
      { feed: 'wanted-persons', inputs: [clear], source: 't' },
      context,
    );
    expect([first.stored, second.duplicate]).toEqual([1, 1]);
  });

  it('marks published snapshots on or after the earliest changed day for revision', async () => {
    await sql`insert into snapshots (snapshot_id, force_id, as_of, revision, content_hash, generated_at, document)
              values ('s1', 'avon-and-somerset', '2022-02-28', 1, 'h', now(), '{}'),
                     ('s2', 'avon-and-somerset', '2022-03-01', 1, 'h', now(), '{}'),
                     ('s3', 'avon-and-somerset', '2022-03-02', 1, 'h', now(), '{}')`.execute(database().db);
    await sql`insert into snapshot_heads (force_id, as_of, snapshot_id, revision, content_hash)
              select force_id, as_of, snapshot_id, revision, content_hash from snapshots`.execute(database().db);
    const outcome = await storeFeedBatch(
      database().db,
      { feed: 'call-handling', inputs: [presented('late')], source: 't' },
      context,
    );
    expect(outcome.staleSnapshotHeads).toBe(2);
    const heads = await database()
      .db.selectFrom('snapshot_heads')
      .select(['as_of', 'stale_late_events'])
      .orderBy('as_of')
      .execute();
    expect(heads).toEqual([
      { as_of: '2022-02-28', stale_late_events: 0 },
      { as_of: '2022-03-01', stale_late_events: 1 },
      { as_of: '2022-03-02', stale_late_events: 1 },
    ]);
  });

  it('marks published snapshots from the day of an event that changes coverage but no aggregate', async () => {
    await sql`insert into snapshots (snapshot_id, force_id, as_of, revision, content_hash, generated_at, document)
              values ('s1', 'avon-and-somerset', '2022-02-28', 1, 'h', now(), '{}'),
                     ('s2', 'avon-and-somerset', '2022-03-31', 1, 'h', now(), '{}')`.execute(database().db);
    await sql`insert into snapshot_heads (force_id, as_of, snapshot_id, revision, content_hash)
              select force_id, as_of, snapshot_id, revision, content_hash from snapshots`.execute(database().db);
    // An answer whose call has not arrived adds nothing, but March now has call-handling events.
    const outcome = await storeFeedBatch(
      database().db,
      { feed: 'call-handling', inputs: [answered('lone', '2022-03-15T10:00:00Z')], source: 't' },
      context,
    );
    expect(await readDailyAggregates(database().db)).toEqual([]);
    expect(outcome.staleSnapshotHeads).toBe(1);
    const heads = await database()
      .db.selectFrom('snapshot_heads')
      .select(['as_of', 'stale_late_events'])
      .orderBy('as_of')
      .execute();
    expect(heads).toEqual([
      { as_of: '2022-02-28', stale_late_events: 0 },
      { as_of: '2022-03-31', stale_late_events: 1 },
    ]);
  });

  it('replay marks published snapshots whose coverage it changes', async () => {
    await storeFeedBatch(
      database().db,
      { feed: 'call-handling', inputs: [answered('lone', '2022-03-15T10:00:00Z')], source: 't' },
      context,
    );
    await sql`insert into snapshots (snapshot_id, force_id, as_of, revision, content_hash, generated_at, document)
              values ('s1', 'avon-and-somerset', '2022-03-31', 1, 'h', now(), '{}')`.execute(database().db);
    await sql`insert into snapshot_heads (force_id, as_of, snapshot_id, revision, content_hash)
              select force_id, as_of, snapshot_id, revision, content_hash from snapshots`.execute(database().db);
    // Feed stats lost for March: replay restores them, and with them March's coverage.
    await sql`delete from daily_feed_stats`.execute(database().db);
    const result = await replayAggregates(database().db, context.calendar);
    expect(result).toMatchObject({ events: 1, changedRows: 0, staleSnapshotHeads: 1 });
    const heads = await database().db.selectFrom('snapshot_heads').select(['as_of', 'stale_since']).execute();
    expect(heads[0]?.stale_since).not.toBeNull();
  });
});

/** Four thousand valid calls, enough for four parts, plus two inputs rejected by validation. */
const bigBatch = (prefix: string) => [
  ...Array.from({ length: 4_000 }, (_, i) =>
    presented(`${prefix}${i}`, `2022-03-01T10:${String(i % 60).padStart(2, '0')}:00Z`),
  ),
  { junk: 1 },
  { ...presented(`${prefix}x`), schemaVersion: 3 },
];
/** The call of `bigBatch` stored in the part of that index (parts are dealt by entity shard). */
const callInPart = (prefix: string, part: number) => {
  for (let i = 0; i < 4_000; i++)
    if (shardOf('avon-and-somerset', 'call', `${prefix}${i}`) % 4 === part) return `${prefix}${i}`;
  throw new Error('no call in that part');
};

describe('redelivered jobs', () => {
  it('offer each event once when a job is delivered again after some of its parts committed', async () => {
    const inputs = bigBatch('r');
    const failing = `${callInPart('r', 2)}-p`;
    // PostgreSQL "going away" in the third part's transaction: not a data error, so the job fails.
    const batch = { feed: 'call-handling' as const, inputs, source: 't' };
    await whileEventRefused(
      database().db,
      failing,
      () =>
        expect(storeFeedBatch(database().db, batch, context, { jobKey: 'feed.call-handling:1:1' })).rejects.toThrow(
          'connection lost',
        ),
      { errcode: '57P01', message: 'connection lost' },
    );
    const committedBefore = await database().db.selectFrom('ingest_parts').select('part').execute();
    expect(committedBefore.map((row) => row.part).sort()).toEqual(['0', '1']);

    const outcome = await storeFeedBatch(database().db, batch, context, {
      jobKey: 'feed.call-handling:1:1',
      startAt: 3,
    });
    expect(outcome).toEqual({ offered: 4_002, stored: 4_000, duplicate: 0, rejected: 2, staleSnapshotHeads: 0 });
    const accounting = await readAccounting(database().db);
    expect(accounting.reduce((sum, row) => sum + row.offered, 0)).toBe(4_002);
    expect(accounting.reduce((sum, row) => sum + row.duplicate, 0)).toBe(0);
    expect(
      await database()
        .db.selectFrom('rejected_events')
        .select(sql<number>`count(*)::int`.as('n'))
        .executeTakeFirst(),
    ).toEqual({ n: 2 });
    const presentedCalls = (await readDailyAggregates(database().db)).find((row) => row.metric === 'calls.presented');
    expect(presentedCalls?.value).toBe(4_000);

    // A third delivery (retry-failed after it completed) changes nothing and reports the same.
    expect(await storeFeedBatch(database().db, batch, context, { jobKey: 'feed.call-handling:1:1' })).toEqual(outcome);
    expect((await readAccounting(database().db)).reduce((sum, row) => sum + row.offered, 0)).toBe(4_002);
  });

  it('finish a job begun by a version that made parts of 500 the way it split it', async () => {
    // Before d0d6d06 a job of 1,000 was two parts (by entity shard), recorded without their
    // count. Part 0 committed, then the worker died; the job comes back to this version, which
    // would make it one part, named 0 too: recorded, it would stand for events it never held.
    const calls = Array.from({ length: 1_000 }, (_, i) => presented(`legacy${i}`, '2022-03-01T10:00:00Z'));
    const inLegacyPart0 = calls.filter((_, i) => shardOf('avon-and-somerset', 'call', `legacy${i}`) % 2 === 0);
    await storeFeedBatch(database().db, { feed: 'call-handling', inputs: inLegacyPart0, source: 't' }, context);
    const legacyOutcome = {
      offered: inLegacyPart0.length,
      stored: inLegacyPart0.length,
      duplicate: 0,
      rejected: 0,
      staleSnapshotHeads: 0,
    };
    await sql`insert into ingest_parts (job_key, part, outcome)
      values ('feed.call-handling:9:1', '0', ${JSON.stringify(legacyOutcome)}::jsonb)`.execute(database().db);

    const outcome = await storeFeedBatch(
      database().db,
      { feed: 'call-handling', inputs: calls, source: 't' },
      context,
      { jobKey: 'feed.call-handling:9:1' },
    );
    expect(outcome).toEqual({ offered: 1_000, stored: 1_000, duplicate: 0, rejected: 0, staleSnapshotHeads: 0 });
    const presentedCalls = (await readDailyAggregates(database().db)).find((row) => row.metric === 'calls.presented');
    expect(presentedCalls?.value).toBe(1_000);
    const accounting = await readAccounting(database().db);
    expect(accounting.reduce((sum, row) => sum + row.offered, 0)).toBe(1_000);
    expect(accounting.reduce((sum, row) => sum + row.duplicate, 0)).toBe(0);
    // This delivery recorded its part with the count, so a further one splits the same way.
    const parts = await database()
      .db.selectFrom('ingest_parts')
      .select(['part', 'outcome'])
      .where('job_key', '=', 'feed.call-handling:9:1')
      .orderBy('part')
      .execute();
    expect(parts.map((row) => [row.part, (row.outcome as { partsOfJob?: number }).partsOfJob])).toEqual([
      ['0', undefined],
      ['1', 2],
    ]);
    expect(
      await storeFeedBatch(database().db, { feed: 'call-handling', inputs: calls, source: 't' }, context, {
        jobKey: 'feed.call-handling:9:1',
      }),
    ).toEqual(outcome);
  });

  it('count a job once when two deliveries of it run at the same time', async () => {
    const batch = { feed: 'call-handling' as const, inputs: bigBatch('s'), source: 't' };
    const [a, b] = await Promise.all([
      storeFeedBatch(database().db, batch, context, { jobKey: 'feed.call-handling:2:1', startAt: 0 }),
      storeFeedBatch(database().db, batch, context, { jobKey: 'feed.call-handling:2:1', startAt: 0 }),
    ]);
    expect(a).toEqual(b);
    expect(a).toMatchObject({ offered: 4_002, stored: 4_000, rejected: 2 });
    expect((await readAccounting(database().db)).reduce((sum, row) => sum + row.offered, 0)).toBe(4_002);
    expect(
      await database()
        .db.selectFrom('rejected_events')
        .select(sql<number>`count(*)::int`.as('n'))
        .executeTakeFirst(),
    ).toEqual({ n: 2 });
  });
});

describe('refused data', () => {
  it('isolates an event the database refuses and stores the rest', async () => {
    // A real refusal by PostgreSQL (a data exception raised by a trigger) for one event id.
    await whileEventRefused(database().db, 'poison-p', async () => {
      const inputs = ['a', 'b', 'poison', 'c', 'd'].map((id) => presented(id));
      const outcome = await storeFeedBatch(database().db, { feed: 'call-handling', inputs, source: 't' }, context, {
        log: createSilentLogger(),
      });
      expect(outcome).toMatchObject({ offered: 5, stored: 4, rejected: 1 });
      const [rejected] = await database().db.selectFrom('rejected_events').select(['event_id', 'reason']).execute();
      expect(rejected).toEqual({
        event_id: 'poison-p',
        reason: 'storage: the database refused this event (value refused)',
      });
    });
  });

  it('isolates a refused event within one part of a large batch, once, even when the job is delivered again', async () => {
    const inputs = bigBatch('q');
    const poison = `${callInPart('q', 1)}-p`;
    await whileEventRefused(database().db, poison, async () => {
      const batch = { feed: 'call-handling' as const, inputs, source: 't' };
      const outcome = await storeFeedBatch(database().db, batch, context, {
        jobKey: 'feed.call-handling:3:1',
        log: createSilentLogger(),
      });
      expect(outcome).toEqual({ offered: 4_002, stored: 3_999, duplicate: 0, rejected: 3, staleSnapshotHeads: 0 });
      expect(await storeFeedBatch(database().db, batch, context, { jobKey: 'feed.call-handling:3:1' })).toEqual(
        outcome,
      );
      const reasons = await database()
        .db.selectFrom('rejected_events')
        .select(['event_id', 'reason'])
        .where('reason', 'like', 'storage:%')
        .execute();
      expect(reasons).toEqual([
        { event_id: poison, reason: 'storage: the database refused this event (value refused)' },
      ]);
      expect((await readAccounting(database().db)).reduce((sum, row) => sum + row.offered, 0)).toBe(4_002);
    });
  });
});

describe('prepareInputs', () => {
  it('prepares a job scrubbed whole, as the worker does, exactly as each input scrubbed alone', () => {
    const inputs: unknown[] = [
      exampleEvent('wanted.circulated', { eventId: 'w-1', payload: { personRef: 'PNC-SECRET-48' } }),
      JSON.stringify(exampleEvent('wanted.circulated', { eventId: 'w-2', payload: { personRef: 'PNC-SECRET-49' } })),
      exampleEvent('wanted.circulated', {
        eventId: 'w-3',
        payload: { note: JSON.stringify({ caller: { subjectRef: 'PNC-SECRET-50' } }) },
      }),
      // A reference that is not text: `[removed]`, then refused by the contract.
      (() => {
        const event = exampleEvent('wanted.circulated', { eventId: 'w-4' });
        return { ...event, payload: { ...event.payload, personRef: 42 } };
      })(),
      presented('c-1'),
    ];
    const summary = ({ groups, rejected }: PreparedInputs) => ({
      stored: [...groups.values()].flat().map((item) => [item.contentHash, JSON.stringify(item.event)]),
      rejected: rejected.map((item) => [item.reason, item.payload]),
    });
    const alone = summary(prepareInputs(inputs, 'wanted-persons', context));
    const job = scrubPersonReferences({ events: inputs }, context.pseudonymise);
    const together = summary(prepareInputs(job.events, 'wanted-persons', context, { pseudonymised: true }));
    expect(together).toEqual(alone);
    expect(alone.stored).toHaveLength(3);
    expect(alone.rejected).toHaveLength(2);
    expect(JSON.stringify(together)).not.toContain('PNC-SECRET');
  });

  it('a slice at a time gives what it gives in one go, and lets the event loop run between slices', async () => {
    // 250 inputs (three slices), with repeats across slices and rejections in each.
    const inputs: unknown[] = Array.from({ length: 250 }, (_, i) =>
      i % 50 === 7 ? { not: 'an event' } : presented(`s-${i % 180}`),
    );
    const seen = (into: unknown[]) => (item: { kind: string }) => into.push(item.kind);
    const inOneGo: unknown[] = [];
    const whole = prepareInputs(inputs, 'call-handling', context, { each: seen(inOneGo) });
    const slicedSeen: unknown[] = [];
    const immediate = new Promise<void>((resolve) => setImmediate(resolve)).then(() => 'the loop ran' as const);
    const preparing = prepareInputsInSlices(inputs, 'call-handling', context, { each: seen(slicedSeen) });
    // A callback queued before the slices began runs before they end.
    expect(await Promise.race([immediate, preparing.then(() => 'prepared first' as const)])).toBe('the loop ran');
    const sliced = await preparing;
    const summary = ({ groups, rejected }: PreparedInputs) => ({
      groups: [...groups].map(([key, items]) => [key, items.map((item) => item.contentHash)]),
      rejected: rejected.map((item) => item.reason),
    });
    expect(summary(sliced)).toEqual(summary(whole));
    expect(slicedSeen).toEqual(inOneGo);
    expect(sliced.rejected).toHaveLength(5);
    // s-107 and s-157 come only at the refused places (107, 157): 178 ids.
    expect(sliced.groups.size).toBe(178);
  });
});
