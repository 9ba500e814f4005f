import { type Calendar, isoInstant, type LocalDate } from '@rollcall/calendar';
import {
  type AggregateChanges,
  aggregateChanges,
  AggregateSums,
  beginReplay,
  estimateStoredEvents,
  assertEventsNotRetired,
  type Db,
  type EntityWrite,
  type FeedStatsDelta,
  markSnapshotHeadsStale,
  readAllFeedStats,
  copyAggregates,
  copyEventsInEntityOrder,
  exportReplaySnapshot,
  type ReplayEventRow,
  wholeMonthsOf,
  writeAggregateChanges,
  replaceDailyFeedStats,
  type StaleMark,
  upsertEntities,
} from '@rollcall/db';
import { type EventType, type Feed, feedOfEventType } from '@rollcall/contract';
import { type EntityKind, type Fact, compareFacts, interpretEntity, isEntityKind } from '@rollcall/lifecycles';

export interface ReplayOptions {
  /** First London day whose aggregates are rewritten (default: all). */
  readonly from?: LocalDate | null;
  /** Last London day whose aggregates are rewritten (default: all). */
  readonly to?: LocalDate | null;
  /**
   * Events read so far, of `total`: PostgreSQL's estimate of the stored events while reading
   * (raised to what was read if that is more), what was read once done.
   */
  readonly onProgress?: (events: number, total: number) => void;
  /**
   * Also rewrite every entity's stored state (facts, status, flags) from its events. Off by
   * default: the aggregates are what drift would affect, and rewriting every entity row costs
   * more than the rest of the replay together.
   */
  readonly entities?: boolean;
  /**
   * Parts the entities are read in, each on a connection of its own and twice the size of the one
   * before (default 4, at most 16): replay folds them in turn while PostgreSQL sorts the next, so
   * it waits only for the sort of the first, small part.
   */
  readonly shards?: number;
}

export interface ReplayResult {
  readonly events: number;
  readonly entities: number;
  /** Aggregate rows written (in the range). */
  readonly aggregateRows: number;
  /** Aggregate rows whose value replay changed, added or removed (0 when live processing was right). */
  readonly changedRows: number;
  /** Published snapshot heads marked for revision because replay changed their inputs. */
  readonly staleSnapshotHeads: number;
  readonly seconds: number;
  /** Of `seconds`, until the first events arrived (PostgreSQL sorts them first). */
  readonly firstEventsSeconds: number;
  /** Of `seconds`, until the last event was folded; the rest is writing. */
  readonly readSeconds: number;
}

/** Stored events of one feed and force on one London day, counted as replay reads them. */
interface FeedDayCount {
  readonly forceId: string;
  readonly feed: string;
  readonly day: string;
  events: number;
  /** Epoch ms of the latest `occurredAt`. */
  latestAt: number;
}

/**
 * Rebuilds the derived state from the stored events: the daily aggregates (and their monthly
 * sums) of the days in [from, to] (all days by default), the feed stats, and on request every
 * entity's state. It reads the events once, each entity's together, on `shards` connections at
 * once (COPY in an exported snapshot of its transaction, so all see what it sees), so memory holds
 * one entity's facts per shard plus the aggregate sums (bounded by days x metrics, not events),
 * and it folds them with the same
 * interpreters live processing uses: replay and live processing agree by construction, and the
 * replay-equals-live test keeps it so.
 *
 * It runs in one transaction holding a SHARE lock on `events`, so ingest waits while it runs
 * (stored events are stable) and a crash leaves the old state. Only aggregate rows that differ
 * are written. Published snapshots whose inputs
 * it changed are marked for revision.
 */
export async function replayAggregates(db: Db, calendar: Calendar, options: ReplayOptions = {}): Promise<ReplayResult> {
  const started = performance.now();
  const from = options.from ?? null;
  const to = options.to ?? null;
  const shards = options.shards ?? 4;
  return db.transaction().execute(async (trx) => {
    const rebuildEntities = options.entities === true;
    await beginReplay(trx, { rebuildEntities });
    await assertEventsNotRetired(trx, 'replay');
    const snapshot = await exportReplaySnapshot(trx);
    let total = 0;

    const sums = new AggregateSums();
    // Per London day, its few (force, feed) counts: no key built per event.
    const feedStats = new Map<string, FeedDayCount[]>();
    let entityWrites: EntityWrite[] = [];
    let events = 0;
    let entities = 0;
    let failed = false;
    let firstEventsAt: number | undefined;
    let eventsArrived!: () => void;
    const firstEventsArrived = new Promise<void>((resolve) => (eventsArrived = resolve));

    const flushEntities = async () => {
      const batch = entityWrites;
      entityWrites = [];
      await upsertEntities(trx, batch);
    };
    /** Folds an entity's facts; says whether enough entity writes wait to be flushed. */
    const finishEntity = (entity: { forceId: string; kind: EntityKind; entityId: string; facts: Fact[] }): boolean => {
      entity.facts.sort(compareFacts);
      const lifecycle = interpretEntity(entity.kind, entity.facts, calendar);
      for (const c of lifecycle.contributions) {
        if ((from !== null && c.day < from) || (to !== null && c.day > to)) continue;
        sums.add(entity.forceId, c.day, c.metric, c.dim, c.value);
      }
      entities += 1;
      if (!rebuildEntities) return false;
      entityWrites.push({
        forceId: entity.forceId,
        kind: entity.kind,
        entityId: entity.entityId,
        facts: entity.facts,
        status: lifecycle.status,
        startedAt: lifecycle.startedAt === null ? null : isoInstant(lifecycle.startedAt),
        endedAt: lifecycle.endedAt === null ? null : isoInstant(lifecycle.endedAt),
        flags: lifecycle.flags,
      });
      return entityWrites.length >= 5_000;
    };
    let lastCount: FeedDayCount | undefined;
    const countFeedDay = (forceId: string, feed: string, at: number) => {
      // Counted in place: one small record per (force, feed, day), the latest time kept as a
      // number and written as ISO once at the end (per event, that formatting was a measurable cost).
      const day = calendar.dayOf(at);
      // An entity's events mostly share a day, and always a force and feed: the last count first.
      const last = lastCount;
      if (last !== undefined && last.day === day && last.feed === feed && last.forceId === forceId) {
        last.events += 1;
        if (at > last.latestAt) last.latestAt = at;
        return;
      }
      let counts = feedStats.get(day);
      if (counts === undefined) feedStats.set(day, (counts = []));
      for (const stats of counts)
        if (stats.feed === feed && stats.forceId === forceId) {
          stats.events += 1;
          if (at > stats.latestAt) stats.latestAt = at;
          lastCount = stats;
          return;
        }
      counts.push((lastCount = { forceId, feed, day, events: 1, latestAt: at }));
    };

    // Shards hold disjoint entities, each shard's events in entity order: the fold has its entity in hand.
    const foldShard = async (shard: AsyncIterable<ReplayEventRow[]>) => {
      let current: { forceId: string; kind: EntityKind; entityId: string; facts: Fact[] } | undefined;
      // The feed is the type's, not read (a column less for PostgreSQL to sort); an entity's
      // events mostly share a type, so the last one's feed first.
      let lastType = '';
      let lastFeed: Feed = 'call-handling';
      for await (const rows of shard) {
        if (failed) return; // another read failed: stop reading (the connection is ended)
        if (firstEventsAt === undefined) {
          firstEventsAt = performance.now();
          eventsArrived();
        }
        for (const row of rows) {
          if (
            current === undefined ||
            row.entity_id !== current.entityId ||
            row.entity_kind !== current.kind ||
            row.force_id !== current.forceId
          ) {
            // Awaited only when writes are due: an await per entity was a measurable cost.
            if (current !== undefined && finishEntity(current)) await flushEntities();
            if (!isEntityKind(row.entity_kind))
              throw new Error(`stored event ${row.event_id} has unknown entity kind ${row.entity_kind}`);
            current = { forceId: row.force_id, kind: row.entity_kind, entityId: row.entity_id, facts: [] };
          }
          // The London day is computed here, not in SQL, so that it is the very calendar live processing used.
          current.facts.push({ id: row.event_id, type: row.type as EventType, at: row.at, p: row.payload });
          if (row.type !== lastType) {
            const feed = feedOfEventType(row.type);
            if (feed === undefined)
              throw new Error(`stored event ${row.event_id} has type ${row.type}, which no feed of the contract has`);
            lastType = row.type;
            lastFeed = feed;
          }
          countFeedDay(row.force_id, lastFeed, row.at);
        }
        events += rows.length;
        options.onProgress?.(events, Math.max(events, total));
      }
      if (current !== undefined && finishEntity(current)) await flushEntities();
    };
    // The stored aggregates, to tell what replay changes, are read alongside on a connection of
    // their own: the daily rows of every month the days touch and those months' sums. Not before
    // the first events arrive: parsing them at the start delayed the fold's first rows by half a second.
    const months = wholeMonthsOf({ from, to });
    // Summed as they arrive, in sums sharing the rebuilt ones' columns, not held as rows (`changesFrom`).
    const stored = { daily: sums.sharingColumns(), monthly: sums.sharingColumns() };
    const readStored = async () => {
      await firstEventsArrived;
      for (const [table, into] of [
        ['daily_aggregates', stored.daily],
        ['monthly_aggregates', stored.monthly],
      ] as const)
        for await (const chunk of copyAggregates(db, snapshot, table, months)) {
          if (failed) return;
          for (const row of chunk) into.add(row.forceId, row.day, row.metric, row.dim, row.value);
        }
    };
    const stopAllOnError = (error: unknown) => {
      failed = true;
      throw error;
    };
    // The shards in turn; each is asked for (and so sorted by PostgreSQL) while the one before is folded.
    const streams: ReturnType<typeof startedEarly<ReplayEventRow[]>>[] = [];
    const askFor = (index: number) => {
      if (index < shards) streams.push(startedEarly(copyEventsInEntityOrder(db, snapshot, { index, count: shards })));
    };
    const foldShards = async () => {
      askFor(0);
      askFor(1);
      try {
        // The progress total is the planner's estimate: an exact count scanned every event once
        // more (1.3 s of PostgreSQL's CPU over 5.4 million, beside the first shards' sorts).
        total = await estimateStoredEvents(trx);
        options.onProgress?.(0, total);
        for (let index = 0; index < shards && !failed; index++) {
          const shard = streams[index];
          if (shard === undefined) throw new Error(`replay shard ${index} was not asked for`);
          await foldShard(shard.items);
          askFor(index + 2);
        }
      } finally {
        eventsArrived(); // no events, or a failure: the stored aggregates are read (or not) all the same
      }
    };
    const folded = await Promise.allSettled([foldShards().catch(stopAllOnError), readStored().catch(stopAllOnError)]);
    // After a failure, the shards asked for but not read to the end end their connections.
    if (failed) for (const stream of streams) stream.stop();
    for (const outcome of folded) if (outcome.status === 'rejected') throw outcome.reason;
    const readAt = performance.now();

    await flushEntities();

    const changes = aggregateChanges({ from, to }, stored, sums);
    const changed = changedDays(changes);
    const rebuiltStats: FeedStatsDelta[] = [...feedStats.values()].flat().map((stats) => ({
      forceId: stats.forceId,
      feed: stats.feed,
      day: stats.day,
      events: stats.events,
      latestOccurredAt: isoInstant(stats.latestAt),
    }));
    const statsChanged = changedFeedStatDays(await readAllFeedStats(trx), rebuiltStats);
    await writeAggregateChanges(trx, { from, to }, changes);
    await replaceDailyFeedStats(trx, rebuiltStats);
    const staleSnapshotHeads = await markSnapshotHeadsStale(trx, earliestPerForce([...changed.marks, ...statsChanged]));
    // Done: the total is now what was read, not the estimate.
    options.onProgress?.(events, events);
    return {
      events,
      entities,
      aggregateRows: sums.count(),
      changedRows: changed.rows,
      staleSnapshotHeads,
      seconds: (performance.now() - started) / 1000,
      firstEventsSeconds: ((firstEventsAt ?? readAt) - started) / 1000,
      readSeconds: (readAt - started) / 1000,
    };
  });
}

/**
 * Days whose stored-event counts differ between the stored and the rebuilt feed stats: they decide
 * coverage (a month with no events is [x]), so a change there can change a snapshot by itself.
 */
function changedFeedStatDays(before: readonly FeedStatsDelta[], after: readonly FeedStatsDelta[]): StaleMark[] {
  const key = (row: FeedStatsDelta) => `${row.forceId}\u0001${row.feed}\u0001${row.day}`;
  const counts = new Map(before.map((row) => [key(row), row]));
  const marks: StaleMark[] = [];
  const note = (row: FeedStatsDelta) =>
    marks.push({ forceId: row.forceId, fromDay: row.day, lateEvents: 0, correctedEvents: 0 });
  for (const row of after) {
    if (counts.get(key(row))?.events !== row.events) note(row);
    counts.delete(key(row));
  }
  for (const row of counts.values()) note(row);
  return marks;
}

/** One mark per force, from the earliest of its days. */
function earliestPerForce(marks: readonly StaleMark[]): StaleMark[] {
  const earliest = new Map<string, StaleMark>();
  for (const mark of marks) {
    const known = earliest.get(mark.forceId);
    if (known === undefined || mark.fromDay < known.fromDay) earliest.set(mark.forceId, mark);
  }
  return [...earliest.values()];
}

/**
 * How many daily aggregate rows replay changes, and per force the earliest day whose aggregates
 * changed: a monthly sum that drifted alone counts from its month's first day, as snapshots read
 * whole months from the monthly sums.
 */
function changedDays(changes: AggregateChanges): { rows: number; marks: StaleMark[] } {
  const earliest = new Map<string, string>();
  for (const { set, added, removed } of [changes.daily, changes.monthly])
    for (const row of [...set, ...added, ...removed]) {
      const known = earliest.get(row.forceId);
      if (known === undefined || row.day < known) earliest.set(row.forceId, row.day);
    }
  return {
    rows: changes.daily.set.length + changes.daily.added.length + changes.daily.removed.length,
    marks: [...earliest].map(([forceId, fromDay]) => ({ forceId, fromDay, lateEvents: 0, correctedEvents: 0 })),
  };
}

/**
 * `source` with its first item asked for now: the work before it (PostgreSQL sorting a shard)
 * starts while the caller is busy with something else. Its failure, if any, is thrown when read.
 * `stop` ends it, read or not (a generator never read would not run its `finally` otherwise).
 */
function startedEarly<T>(source: AsyncGenerator<T>): { readonly items: AsyncIterable<T>; stop(): void } {
  const first = source.next();
  first.catch(() => {}); // thrown again where it is read
  return {
    items: (async function* () {
      const head = await first;
      if (head.done === true) return;
      yield head.value;
      yield* source;
    })(),
    // Queued behind the item being fetched, if any: the connection ends once PostgreSQL sends it.
    stop: () => void source.return(undefined).catch(() => {}),
  };
}
