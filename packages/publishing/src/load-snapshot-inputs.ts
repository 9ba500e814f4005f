import { addMonths, createCalendar, type LocalDate } from '@rollcall/calendar';
import { sql } from 'kysely';
import {
  type DbOrTransaction,
  type PartialMonthSum,
  readCurrentReferenceVersion,
  readFeedCoverage,
  readFeedInputs,
  sumAggregatesBetween,
  sumAggregatesByMonth,
} from '@rollcall/db';
import { FEEDS } from '@rollcall/events';
import {
  type AggregateRow,
  Aggregates,
  AS_AT_METRIC,
  asAtEndId,
  asAtPeriod,
  customPeriod,
  type ForceInputs,
  type MeasureFeed,
  type MeasurePopulation,
  type MeasureSettings,
  monthPeriod,
  type Period,
  type SnapshotComputationInput,
  standardPeriods,
  yearEarlier,
} from '@rollcall/measures';
import type { FeedInputSummary } from './snapshot-document.ts';

interface ReportingPeriodSetting {
  readonly id: string;
  readonly label: string;
  readonly from: string;
  readonly to: string;
}

/**
 * Calls waiting at an instant, per force, channel and queue, with the longest wait, for the given
 * forces only: calls presented in the 24 hours before it and not answered or abandoned by then. A
 * call still open after more than 24 hours is treated as lost data (its closing event never came)
 * and not counted as waiting. Reads one day of each force's calls through the
 * (force_id, kind, started_at) index, whatever the history and however many other forces there are.
 */
export async function readCallsWaitingAt(db: DbOrTransaction, forceIds: readonly string[], instant: Date) {
  if (forceIds.length === 0) return [];
  const result = await sql<{ force_id: string; channel: string; queue: string; waiting: number; longest_ms: number }>`
    select e.force_id, p.payload ->> 'channel' as channel,
           case when exists (select 1 from jsonb_array_elements(e.facts) f
                             where f ->> 'type' = 'call.transferred' and (f ->> 'at')::bigint <= ${instant.getTime()})
                then 'secondary' else p.payload ->> 'queue' end as queue,
           count(*)::bigint as waiting,
           max(${instant.getTime()} - extract(epoch from e.started_at) * 1000)::bigint as longest_ms
    from entities e
    cross join lateral (
      select f -> 'p' as payload from jsonb_array_elements(e.facts) f
      where f ->> 'type' = 'call.presented' order by (f ->> 'at')::bigint, f ->> 'id' limit 1
    ) p
    where e.force_id = any(${sql.val([...forceIds])}::text[]) and e.kind = 'call'
      and e.started_at > ${new Date(instant.getTime() - 86_400_000)} and e.started_at < ${instant}
      and (e.ended_at is null or e.ended_at >= ${instant})
    group by 1, 2, 3`.execute(db);
  return result.rows.flatMap((row) => [
    { forceId: row.force_id, metric: AS_AT_METRIC.callsWaiting, dim: `${row.channel}|${row.queue}`, value: row.waiting },
    { forceId: row.force_id, metric: AS_AT_METRIC.callsLongestWaitMs, dim: `${row.channel}|${row.queue}`, value: row.longest_ms },
  ]);
}

/** Rows grouped by their `forceId`, in one pass (the loaders read every force at once). */
function groupByForce<T extends { readonly forceId: string }>(rows: readonly T[]): ReadonlyMap<string, readonly T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(row.forceId);
    if (group) group.push(row);
    else groups.set(row.forceId, [row]);
  }
  return groups;
}

export interface LoadedSnapshotInputs {
  readonly computation: SnapshotComputationInput;
  readonly forceName: string;
  readonly referenceVersion: string;
  readonly populationVintage: string;
  readonly feeds: Readonly<Record<string, FeedInputSummary>>;
}

/** The snapshot's force or date cannot be published; the message says why. */
export class SnapshotInputError extends Error {
  override readonly name = 'SnapshotInputError';
}

/**
 * Sums the half-month rows that make up a period: whole months inside it, and of the last
 * month only the days up to the split day (the as-of day of month). Valid for periods that
 * start on the first of a month (or have no start) and end on the split day of their month or
 * earlier, which every standard period and its year-earlier twin does.
 */
export function sumHalfMonthsOverPeriod(rows: readonly PartialMonthSum[], period: Period): Aggregates {
  const firstMonth = period.from === null ? null : period.from.slice(0, 7);
  const lastMonth = period.to.slice(0, 7);
  const selected: AggregateRow[] = [];
  for (const row of rows) {
    if (firstMonth !== null && row.month < firstMonth) continue;
    if (row.month > lastMonth) continue;
    if (row.month === lastMonth && !row.upToSplitDay) continue;
    selected.push(row);
  }
  return Aggregates.fromRows(selected);
}

/**
 * Reads everything one snapshot is computed from, for the force and every force it is compared
 * with: settings, populations, MSG, coverage by month, and the aggregates of each period (and of
 * the same period a year earlier) as sums of whole months plus the split months. What is read
 * grows with months and metrics of history, never with raw events.
 */
export async function loadSnapshotInputs(
  db: DbOrTransaction,
  forceId: string,
  asOf: LocalDate,
  timeZone = 'Europe/London',
): Promise<LoadedSnapshotInputs> {
  const calendarEndOfDay = (day: LocalDate) => new Date(createCalendar(timeZone).endOfDay(day));
  const forces = await db.selectFrom('forces').selectAll().execute();
  const force = forces.find((row) => row.force_id === forceId);
  if (!force) throw new SnapshotInputError(`unknown force ${JSON.stringify(forceId)}: not in the reference data`);
  const reference = await readCurrentReferenceVersion(db);
  if (!reference) throw new SnapshotInputError('no reference data loaded: run `rollcall migrate`');
  const populations = await db.selectFrom('populations').selectAll().where('vintage', '=', reference.populationVintage).execute();

  const settingsOf = (row: (typeof forces)[number]) => row.settings as unknown as MeasureSettings & { reportingPeriods?: ReportingPeriodSetting[] };
  // A custom period is published from its last day for a year: long enough for the report it
  // serves, without old windows cluttering every later snapshot.
  const customPeriods = (settingsOf(force).reportingPeriods ?? [])
    .filter((setting) => setting.to <= asOf && asOf < addMonths(setting.to, 12))
    .map((setting) => customPeriod(setting.id, setting.label, setting.from, setting.to));
  const periods = [...standardPeriods(asOf), ...customPeriods];

  // Periods end on the as-of day or on the last day of their year-earlier twin (the same day of
  // that month, or its last day when the as-of day is a month's last).
  const yearEarlierEnd = yearEarlier(monthPeriod(asOf)).to;
  const halfMonths = await sumAggregatesByMonth(db, { forceIds: null, to: asOf, splits: [{ month: yearEarlierEnd.slice(0, 7), day: Number(yearEarlierEnd.slice(8, 10)) }] });
  const customSums = await Promise.all(
    customPeriods.map(async (period) => ({
      period,
      rows: await sumAggregatesBetween(db, { forceIds: null, from: period.from!, to: period.to }),
      upToEnd: period.to === asOf ? [] : await sumAggregatesBetween(db, { forceIds: null, from: '1900-01-01', to: period.to }),
    })),
  );
  const coverage = await readFeedCoverage(db, { forceIds: null, from: '1900-01-01', to: asOf });

  // The force, its most similar group, and every force with data (national comparisons), in the
  // reference data; the force itself first.
  const forcesById = new Map(forces.map((row) => [row.force_id, row]));
  const candidates = new Set<string>([forceId, ...force.most_similar_group]);
  for (const row of halfMonths) candidates.add(row.forceId);
  for (const row of coverage) candidates.add(row.forceId);
  const forceIds = [...candidates].filter((id) => forcesById.has(id)).sort((a, b) => (a === forceId ? -1 : b === forceId ? 1 : a < b ? -1 : 1));

  const liveCalls = groupByForce(await readCallsWaitingAt(db, forceIds, calendarEndOfDay(asOf)));
  const halfMonthsByForce = groupByForce(halfMonths);
  const coverageByForce = groupByForce(coverage);
  const customSumsByForce = customSums.map(({ period, rows, upToEnd }) => ({ period, rows: groupByForce(rows), upToEnd: groupByForce(upToEnd) }));
  const populationsByForce = new Map(populations.map((row) => [row.force_id, row]));

  const inputs = new Map<string, ForceInputs>();
  for (const id of forceIds) {
    const row = forcesById.get(id)!;
    const ownHalfMonths = halfMonthsByForce.get(id) ?? [];
    const aggregates = new Map<string, Aggregates>();
    const asAt = asAtPeriod(asOf);
    const earlierAsAt = sumHalfMonthsOverPeriod(ownHalfMonths, yearEarlier(asAt));
    for (const period of standardPeriods(asOf)) {
      const earlier = yearEarlier(period);
      aggregates.set(period.id, sumHalfMonthsOverPeriod(ownHalfMonths, period));
      aggregates.set(earlier.id, sumHalfMonthsOverPeriod(ownHalfMonths, earlier));
      aggregates.set(asAtEndId(earlier, asOf), earlierAsAt);
    }
    // The snapshot-time figures join the as-at aggregates (they describe the end of the as-of day).
    const liveRows = liveCalls.get(id) ?? [];
    aggregates.set(asAt.id, Aggregates.fromRows([...ownHalfMonths.filter((sum) => sum.month <= asOf.slice(0, 7)), ...liveRows]));
    for (const { period, rows, upToEnd } of customSumsByForce) {
      aggregates.set(period.id, Aggregates.fromRows(rows.get(id) ?? []));
      // A custom period ending on the as-of day shares the as-at aggregates (with the live-call
      // figures) rather than replacing them.
      if (period.to !== asOf) aggregates.set(asAtEndId(period, asOf), Aggregates.fromRows(upToEnd.get(id) ?? []));
    }
    const monthsWithData = new Map<MeasureFeed, Set<string>>(FEEDS.map((feed) => [feed, new Set<string>()]));
    for (const month of coverageByForce.get(id) ?? []) if (month.events > 0) monthsWithData.get(month.feed as MeasureFeed)?.add(month.month);
    const population = populationsByForce.get(id);
    inputs.set(id, {
      forceId: id,
      settings: settingsOf(row),
      population: population && {
        vintage: population.vintage,
        residents: population.residents,
        groups: population.groups as unknown as MeasurePopulation['groups'],
      },
      aggregates,
      monthsWithData,
    });
  }

  const feedRows = await readFeedInputs(db, forceId, asOf);
  const feeds = Object.fromEntries(
    FEEDS.map((feed) => {
      const row = feedRows.find((candidate) => candidate.feed === feed);
      return [feed, { events: row?.events ?? 0, latestOccurredAt: row?.latestOccurredAt?.toISOString() ?? null }];
    }),
  );
  return {
    computation: { forceId, asOf, periods, forces: inputs, mostSimilarGroup: force.most_similar_group },
    forceName: force.name,
    referenceVersion: reference.version,
    populationVintage: reference.populationVintage,
    feeds,
  };
}
