import type { Calendar, LocalDate } from '@rollcall/calendar';
import {
  type AggregateDelta,
  beginReplay,
  assertEventsNotRetired,
  type Db,
  type EntityWrite,
  type FeedStatsDelta,
  markSnapshotHeadsStale,
  readAllFeedStats,
  readDailyAggregates,
  readEventsInEntityOrder,
  replaceDailyAggregates,
  replaceDailyFeedStats,
  type StaleMark,
  upsertEntities,
} from '@rollcall/db';
import type { EventType } from '@rollcall/contract';
import { type EntityKind, type Fact, compareFacts, interpretEntity, isEntityKind } from '@rollcall/lifecycles';

export interface ReplayOptions {
  /** First London day whose aggregates are rewritten (default: all). */
  readonly from?: LocalDate | null;
  /** Last London day whose aggregates are rewritten (default: all). */
  readonly to?: LocalDate | null;
  readonly onProgress?: (events: number, total: number) => void;
  /**
   * Also rewrite every entity's stored state (facts, status, flags) from its events. Off by
   * default: the aggregates are what drift would affect, and rewriting every entity row costs
   * more than the rest of the replay together.
   */
  readonly entities?: boolean;
  /** Rows fetched from the cursor at a time. */
  readonly pageSize?: number;
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

const aggregateKey = (forceId: string, day: string, metric: string, dim: string) =>
  `${forceId}\u0001${day}\u0001${metric}\u0001${dim}`;

/**
 * Rebuilds the derived state from the stored events: the daily aggregates (and their monthly
 * sums) of the days in [from, to] (all days by default), the feed stats, and on request every
 * entity's state. It reads the events once,
 * through a server-side cursor in entity order, so memory holds one entity's facts at a time plus
 * the aggregate sums (bounded by days x metrics, not events), and it folds them with the same
 * interpreters live processing uses: replay and live processing agree by construction, and the
 * replay-equals-live test keeps it so.
 *
 * It runs in one transaction holding a SHARE lock on `events`, so ingest waits while it runs
 * (stored events are stable) and a crash leaves the old state. Published snapshots whose inputs
 * it changed are marked for revision.
 */
export async function replayAggregates(db: Db, calendar: Calendar, options: ReplayOptions = {}): Promise<ReplayResult> {
  const started = performance.now();
  const from = options.from ?? null;
  const to = options.to ?? null;
  const pageSize = options.pageSize ?? 20_000;
  return db.transaction().execute(async (trx) => {
    const rebuildEntities = options.entities === true;
    const total = await beginReplay(trx, { rebuildEntities });
    await assertEventsNotRetired(trx, 'replay');

    // One number per (force, day, metric, dim): a replay adds millions of contributions.
    const sums = new Map<string, number>();
    const feedStats = new Map<string, FeedDayCount>();
    let entityWrites: EntityWrite[] = [];
    let events = 0;
    let entities = 0;

    const flushEntities = async () => {
      await upsertEntities(trx, entityWrites);
      entityWrites = [];
    };
    let current: { key: string; forceId: string; kind: EntityKind; entityId: string; facts: Fact[] } | undefined;
    const finishEntity = async () => {
      if (!current) return;
      current.facts.sort(compareFacts);
      const lifecycle = interpretEntity(current.kind, current.facts, calendar);
      for (const c of lifecycle.contributions) {
        if ((from !== null && c.day < from) || (to !== null && c.day > to)) continue;
        const key = aggregateKey(current.forceId, c.day, c.metric, c.dim);
        sums.set(key, (sums.get(key) ?? 0) + c.value);
      }
      if (rebuildEntities)
        entityWrites.push({
          forceId: current.forceId,
          kind: current.kind,
          entityId: current.entityId,
          facts: current.facts,
          status: lifecycle.status,
          startedAt: lifecycle.startedAt === null ? null : new Date(lifecycle.startedAt).toISOString(),
          endedAt: lifecycle.endedAt === null ? null : new Date(lifecycle.endedAt).toISOString(),
          flags: lifecycle.flags,
        });
      entities += 1;
      if (entityWrites.length >= 5_000) await flushEntities();
    };

    // The London day is computed here, not in SQL, so that it is the very calendar live processing used.
    for await (const page of readEventsInEntityOrder(trx, pageSize)) {
      for (const row of page) {
        const key = `${row.force_id}\u0000${row.entity_kind}\u0000${row.entity_id}`;
        if (current?.key !== key) {
          await finishEntity();
          if (!isEntityKind(row.entity_kind))
            throw new Error(`stored event ${row.event_id} has unknown entity kind ${row.entity_kind}`);
          current = { key, forceId: row.force_id, kind: row.entity_kind, entityId: row.entity_id, facts: [] };
        }
        const at = Number(row.at);
        current.facts.push({ id: row.event_id, type: row.type as EventType, at, p: row.payload });
        // Counted in place: one small record per (force, feed, day), the latest time kept as a
        // number and written as ISO once at the end (per event, that formatting was a measurable cost).
        const day = calendar.dayOf(at);
        const statsKey = `${row.force_id}\u0001${row.feed}\u0001${day}`;
        const stats = feedStats.get(statsKey);
        if (stats === undefined)
          feedStats.set(statsKey, { forceId: row.force_id, feed: row.feed, day, events: 1, latestAt: at });
        else {
          stats.events += 1;
          if (at > stats.latestAt) stats.latestAt = at;
        }
        events += 1;
      }
      options.onProgress?.(events, total);
    }
    await finishEntity();

    await flushEntities();

    const rebuilt: AggregateDelta[] = [...sums.entries()]
      .filter(([, value]) => value !== 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => {
        const [forceId = '', day = '', metric = '', dim = ''] = key.split('\u0001');
        return { forceId, day, metric, dim, value };
      });
    const before = await readDailyAggregates(trx, { from, to });
    const changed = changedDays(before, rebuilt);
    const rebuiltStats: FeedStatsDelta[] = [...feedStats.values()].map((stats) => ({
      forceId: stats.forceId,
      feed: stats.feed,
      day: stats.day,
      events: stats.events,
      latestOccurredAt: new Date(stats.latestAt).toISOString(),
    }));
    const statsChanged = changedFeedStatDays(await readAllFeedStats(trx), rebuiltStats);
    await replaceDailyAggregates(trx, { from, to }, rebuilt);
    await replaceDailyFeedStats(trx, rebuiltStats);
    const staleSnapshotHeads = await markSnapshotHeadsStale(trx, earliestPerForce([...changed.marks, ...statsChanged]));
    options.onProgress?.(events, total);
    return {
      events,
      entities,
      aggregateRows: rebuilt.length,
      changedRows: changed.rows,
      staleSnapshotHeads,
      seconds: (performance.now() - started) / 1000,
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

/** Rows that differ between the stored and the rebuilt aggregates, and the earliest such day per force. */
function changedDays(
  before: readonly AggregateDelta[],
  after: readonly AggregateDelta[],
): { rows: number; marks: StaleMark[] } {
  const values = new Map<string, number>();
  for (const row of before) values.set(aggregateKey(row.forceId, row.day, row.metric, row.dim), row.value);
  const earliest = new Map<string, string>();
  let rows = 0;
  const note = (forceId: string, day: string) => {
    rows += 1;
    const known = earliest.get(forceId);
    if (known === undefined || day < known) earliest.set(forceId, day);
  };
  for (const row of after) {
    const key = aggregateKey(row.forceId, row.day, row.metric, row.dim);
    if (values.get(key) !== row.value) note(row.forceId, row.day);
    values.delete(key);
  }
  for (const key of values.keys()) {
    const [forceId = '', day = ''] = key.split('\u0001');
    note(forceId, day);
  }
  return {
    rows,
    marks: [...earliest].map(([forceId, fromDay]) => ({ forceId, fromDay, lateEvents: 0, correctedEvents: 0 })),
  };
}
