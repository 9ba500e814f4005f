import { availableParallelism } from 'node:os';
import { type Calendar, isoInstant, type LocalDate } from '@rollcall/calendar';
import {
  type AggregateChanges,
  aggregateChanges,
  beginReplay,
  connectionSettingsOf,
  estimateStoredEvents,
  assertEventsNotRetired,
  type Db,
  type EntityWrite,
  type FeedStatsDelta,
  markSnapshotHeadsStale,
  readAllFeedStats,
  copyAggregates,
  exportReplaySnapshot,
  wholeMonthsOf,
  writeAggregateChanges,
  replaceDailyFeedStats,
  type StaleMark,
  upsertEntities,
} from '@rollcall/db';
import { foldLane, type LaneSource, ReplayFold } from './replay-fold.ts';
import { startReplayLane } from './replay-lane.ts';

/**
 * Lanes a replay folds in by default: one per core, up to two. Each lane's fold is a thread that
 * keeps one core busy, and PostgreSQL's sorts of the shards need CPU too; a third lane on two
 * cores would only contend.
 */
const DEFAULT_LANES = Math.max(1, Math.min(2, availableParallelism()));

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
   * Parts each lane's entities are read in, each on a connection of its own and twice the size
   * of the one before (default 4 in all: 4 on one lane, 2 each on two; at most 16): a lane folds
   * them in turn while PostgreSQL sorts the next, so it waits only for the sort of the first part.
   */
  readonly shards?: number;
  /**
   * Threads folding at once, each over its own part of the entities (a lane: `ReplayShard`), their
   * sums added together at the end (default: one per core, up to 2; at most 16). With `entities`,
   * always 1: the entity rows are written in replay's transaction, from this thread.
   */
  readonly lanes?: number;
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
  const rebuildEntities = options.entities === true;
  const lanes = rebuildEntities ? 1 : (options.lanes ?? DEFAULT_LANES);
  if (!Number.isInteger(lanes) || lanes < 1 || lanes > 16) throw new RangeError(`replay lanes: ${lanes} (1 to 16)`);
  // Each shard is a scan of every event (its hash range filters them), so the default keeps the
  // scans at 4 in all however many lanes (36 months, 4.9 million events, 2 lanes: 240-319k
  // events/s in 2 shards each, 249-290k in 3, 178-221k in 4, against 192-257k on 1 lane in 4).
  const shards = options.shards ?? Math.max(2, Math.ceil(4 / lanes));
  return db.transaction().execute(async (trx) => {
    await beginReplay(trx, { rebuildEntities });
    await assertEventsNotRetired(trx, 'replay');
    const snapshot = await exportReplaySnapshot(trx);
    // The progress total, before any lane reports: the planner's estimate (a plan, no scan: an exact
    // count scanned every event once more, 1.3 s of PostgreSQL's CPU over 5.4 million).
    const total = await estimateStoredEvents(trx);
    options.onProgress?.(0, total);

    let entityWrites: EntityWrite[] = [];
    let failed = false;
    let firstEventsAt: number | undefined;
    let eventsArrived!: () => void;
    const firstEventsArrived = new Promise<void>((resolve) => (eventsArrived = resolve));
    const noteFirstEvents = () => {
      if (firstEventsAt !== undefined) return;
      firstEventsAt = performance.now();
      eventsArrived();
    };

    const flushEntities = async () => {
      const batch = entityWrites;
      entityWrites = [];
      await upsertEntities(trx, batch);
    };
    // This thread's lane; with entities rebuilt, the only one (they are written in this transaction).
    const fold = new ReplayFold(
      calendar,
      { from, to },
      rebuildEntities
        ? (entity, lifecycle) => {
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
          }
        : undefined,
    );
    const sums = fold.sums;
    let events = 0; // so far, for progress: every lane's
    const onEvents = (n: number) => {
      if (failed) return; // the replay is failing: no progress after it
      events += n;
      options.onProgress?.(events, Math.max(events, total));
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
    // On a failure anywhere, every read stops: the shards asked for and not read to the end end
    // their connections, and the lanes' threads end (theirs with them).
    // The first failure is the one reported: the lanes stopped because of it fail after it.
    let firstFailure: unknown;
    const stopAllOnError = (error: unknown) => {
      if (!failed) firstFailure = error;
      failed = true;
      here.stop();
      for (const thread of threads) thread.stop();
    };
    const source = (lane: number): LaneSource => ({ snapshot, lane, lanes, shards });
    // Lanes 1 and on fold on threads of their own; lane 0 here, beside the stored aggregates' read.
    const threads = Array.from({ length: lanes - 1 }, (_, i) =>
      startReplayLane(
        { connection: connectionSettingsOf(db), source: source(i + 1), timeZone: calendar.timeZone, from, to },
        { onFirstEvents: noteFirstEvents, onEvents },
      ),
    );
    const here = foldLane(db, source(0), fold, {
      onRows: (rows) => {
        noteFirstEvents();
        onEvents(rows);
      },
      stopped: () => failed,
      flush: flushEntities,
    });
    const foldLanes = async () => {
      try {
        // Each lane's sums added as it finishes; the first lane to fail fails them all at once.
        await Promise.all([
          here.done,
          ...threads.map(async (thread) => {
            const lane = await thread.done;
            sums.addTransferred(lane.sums);
            fold.addFeedDayCounts(lane.feedDays);
            fold.entities += lane.entities;
            fold.events += lane.events;
          }),
        ]);
      } finally {
        eventsArrived(); // no events, or a failure: the stored aggregates are read (or not) all the same
      }
    };
    await Promise.all([foldLanes().catch(stopAllOnError), readStored().catch(stopAllOnError)]);
    if (failed) throw firstFailure;
    const readAt = performance.now();

    await flushEntities();

    const changes = aggregateChanges({ from, to }, stored, sums);
    const changed = changedDays(changes);
    const rebuiltStats: FeedStatsDelta[] = fold.feedDayCounts().map((stats) => ({
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
    options.onProgress?.(fold.events, fold.events);
    return {
      events: fold.events,
      entities: fold.entities,
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
  // Not spread into one array: a first replay adds hundreds of thousands of rows.
  for (const { set, added, removed } of [changes.daily, changes.monthly])
    for (const rows of [set, added, removed])
      for (const row of rows) {
        const known = earliest.get(row.forceId);
        if (known === undefined || row.day < known) earliest.set(row.forceId, row.day);
      }
  return {
    rows: changes.daily.set.length + changes.daily.added.length + changes.daily.removed.length,
    marks: [...earliest].map(([forceId, fromDay]) => ({ forceId, fromDay, lateEvents: 0, correctedEvents: 0 })),
  };
}
