import type { Calendar, LocalDate } from '@rollcall/calendar';
import { AggregateSums, copyEventsInEntityOrder, type Db, type ReplayEventRow } from '@rollcall/db';
import { type EventType, type Feed, feedOfEventType } from '@rollcall/contract';
import {
  type EntityKind,
  type Fact,
  type Lifecycle,
  compareFacts,
  interpretEntity,
  isEntityKind,
} from '@rollcall/lifecycles';

/** Stored events of one feed and force on one London day, counted as replay reads them. */
export interface FeedDayCount {
  readonly forceId: string;
  readonly feed: string;
  readonly day: string;
  events: number;
  /** Epoch ms of the latest `occurredAt`. */
  latestAt: number;
}

/** One entity's stored events, as facts, gathered while its rows are read. */
export interface ReplayEntity {
  readonly forceId: string;
  readonly kind: EntityKind;
  readonly entityId: string;
  readonly facts: Fact[];
}

/**
 * What one thread of a replay folds: the events of the entities it reads, each entity's facts
 * interpreted as live processing does (`interpretEntity`), its contributions in the replay's
 * days summed, and the stored events counted per (force, feed, London day) for the feed stats.
 * A replay folds in one `ReplayFold` per lane (`foldLane`), on threads of their own, and adds
 * their sums together: the lanes hold disjoint entities, so the sums of the parts are the sums.
 */
export class ReplayFold {
  readonly sums = new AggregateSums();
  /** Per London day, its few (force, feed) counts: no key built per event. */
  readonly feedDays = new Map<string, FeedDayCount[]>();
  events = 0;
  entities = 0;
  #lastCount: FeedDayCount | undefined;

  constructor(
    private readonly calendar: Calendar,
    private readonly range: { readonly from: LocalDate | null; readonly to: LocalDate | null },
    /** Each entity as folded, with its lifecycle; true when the caller wants `flush` called. */
    private readonly onEntity?: (entity: ReplayEntity, lifecycle: Lifecycle) => boolean,
  ) {}

  /** Folds an entity's facts; says whether the caller's `onEntity` wants a flush. */
  finishEntity(entity: ReplayEntity): boolean {
    entity.facts.sort(compareFacts);
    const lifecycle = interpretEntity(entity.kind, entity.facts, this.calendar);
    const { from, to } = this.range;
    for (const c of lifecycle.contributions) {
      if ((from !== null && c.day < from) || (to !== null && c.day > to)) continue;
      this.sums.add(entity.forceId, c.day, c.metric, c.dim, c.value);
    }
    this.entities += 1;
    return this.onEntity?.(entity, lifecycle) ?? false;
  }

  countFeedDay(forceId: string, feed: string, at: number): void {
    // Counted in place: one small record per (force, feed, day), the latest time kept as a
    // number and written as ISO once at the end (per event, that formatting was a measurable cost).
    const day = this.calendar.dayOf(at);
    // An entity's events mostly share a day, and always a force and feed: the last count first.
    let count = this.#lastCount;
    if (count === undefined || count.day !== day || count.feed !== feed || count.forceId !== forceId)
      count = this.#lastCount = this.#countOf(forceId, feed, day);
    count.events += 1;
    if (at > count.latestAt) count.latestAt = at;
  }

  /** The count of a (force, feed, day), made (at 0) when there is none yet. */
  #countOf(forceId: string, feed: string, day: string): FeedDayCount {
    let counts = this.feedDays.get(day);
    if (counts === undefined) this.feedDays.set(day, (counts = []));
    for (const stats of counts) if (stats.feed === feed && stats.forceId === forceId) return stats;
    const count = { forceId, feed, day, events: 0, latestAt: Number.NEGATIVE_INFINITY };
    counts.push(count);
    return count;
  }

  /** Every (force, feed, day) count, flat. */
  feedDayCounts(): FeedDayCount[] {
    return [...this.feedDays.values()].flat();
  }

  /** Adds another lane's counts (the same (force, feed, day) may have events in both). */
  addFeedDayCounts(counts: readonly FeedDayCount[]): void {
    for (const other of counts) {
      const count = this.#countOf(other.forceId, other.feed, other.day);
      count.events += other.events;
      count.latestAt = Math.max(count.latestAt, other.latestAt);
    }
  }

  /**
   * Folds one shard's rows, which hold whole entities, each entity's events together.
   * `onRows` hears how many rows each chunk held; `stopped` ends the fold early (another lane
   * failed); `flush` is awaited when `onEntity` asks for it.
   */
  async foldShard(
    shard: AsyncIterable<ReplayEventRow[]>,
    hooks: { onRows(rows: number): void; stopped(): boolean; flush(): Promise<void> },
  ): Promise<void> {
    let current: ReplayEntity | undefined;
    // The feed is the type's, not read (a column less for PostgreSQL to sort); an entity's
    // events mostly share a type, so the last one's feed first.
    let lastType = '';
    let lastFeed: Feed = 'call-handling';
    for await (const rows of shard) {
      if (hooks.stopped()) return; // another read failed: stop reading (the connection is ended)
      for (const row of rows) {
        if (
          current === undefined ||
          row.entity_id !== current.entityId ||
          row.entity_kind !== current.kind ||
          row.force_id !== current.forceId
        ) {
          // Awaited only when writes are due: an await per entity was a measurable cost.
          if (current !== undefined && this.finishEntity(current)) await hooks.flush();
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
        this.countFeedDay(row.force_id, lastFeed, row.at);
      }
      this.events += rows.length;
      hooks.onRows(rows.length);
    }
    if (current !== undefined && this.finishEntity(current)) await hooks.flush();
  }
}

/** Where a lane reads: the snapshot it reads in, its place among the lanes, and its shards. */
export interface LaneSource {
  /** `exportReplaySnapshot` of the replay's transaction. */
  readonly snapshot: string;
  readonly lane: number;
  readonly lanes: number;
  /** Parts the lane's entities are read in, each twice the one before (`ReplayShard`). */
  readonly shards: number;
}

/**
 * Folds a lane's shards in turn, each asked for (and so sorted by PostgreSQL, on a connection of
 * its own) while the one before is folded. `stop` ends the reads of the shards asked for and not
 * finished (after a failure elsewhere).
 */
export function foldLane(
  db: Db,
  source: LaneSource,
  fold: ReplayFold,
  hooks: { onRows(rows: number): void; stopped(): boolean; flush(): Promise<void> },
): { readonly done: Promise<void>; stop(): void } {
  const streams: ReturnType<typeof startedEarly<ReplayEventRow[]>>[] = [];
  const askFor = (index: number) => {
    if (index >= source.shards || streams[index] !== undefined || hooks.stopped()) return;
    streams[index] = startedEarly(
      copyEventsInEntityOrder(db, source.snapshot, {
        index,
        count: source.shards,
        lane: source.lane,
        lanes: source.lanes,
      }),
    );
  };
  askFor(0);
  // The second shard once the first's rows come: sorted beside the first, it took half the cores
  // the first's sort had (two lanes: four sorts at once on two cores) and held back the first rows.
  void streams[0]?.started.then(() => askFor(1));
  const done = (async () => {
    for (let index = 0; index < source.shards && !hooks.stopped(); index++) {
      askFor(index); // asked for already, unless the shard before came and went empty before its rows were heard of
      const shard = streams[index];
      if (shard === undefined) throw new Error(`replay shard ${index} was not asked for`);
      await fold.foldShard(shard.items, hooks);
      askFor(index + 2);
    }
  })();
  return {
    done,
    stop: () => {
      for (const stream of streams) stream.stop();
    },
  };
}

/**
 * `source` with its first item asked for now: the work before it (PostgreSQL sorting a shard)
 * starts while the caller is busy with something else. Its failure, if any, is thrown when read.
 * `stop` ends it, read or not (a generator never read would not run its `finally` otherwise).
 */
function startedEarly<T>(source: AsyncGenerator<T>): {
  readonly items: AsyncIterable<T>;
  /** Settles when the first item has come (or the source failed or ended): never rejects. */
  readonly started: Promise<void>;
  stop(): void;
} {
  const first = source.next();
  const started = first.then(
    () => undefined,
    () => undefined, // thrown again where it is read
  );
  return {
    started,
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
