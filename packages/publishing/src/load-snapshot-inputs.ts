import { addMonths, createCalendar, type LocalDate } from '@rollcall/calendar';
import {
  type AggregateWindow,
  type DbOrTransaction,
  readCallsWaiting,
  readCurrentReferenceVersion,
  readFeedCoverage,
  readFeedInputs,
  readForceReferences,
  readIngestWatermarks,
  readPopulations,
  readPublishedFigures,
  sumAggregatesOverWindows,
} from '@rollcall/db';
import { defined, FEEDS } from '@rollcall/contract';
import {
  Aggregates,
  asAtEndId,
  asAtPeriod,
  type ComparisonFigure,
  customPeriod,
  type ForceInputs,
  type MeasureFeed,
  type SnapshotComputationInput,
  standardPeriods,
  yearEarlier,
} from '@rollcall/measures';
import { AS_AT_METRIC, STOCK_METRICS } from '@rollcall/contract';
import type { FeedInputSummary, FeedWatermark, PublishedEditionInput } from './snapshot-document.ts';

/**
 * Calls waiting at an instant as the as-at metrics of the given forces (`readCallsWaiting` of
 * @rollcall/db: presented in the 24 hours before it, neither answered nor abandoned by then).
 */
export async function readCallsWaitingAt(db: DbOrTransaction, forceIds: readonly string[], instant: Date) {
  const rows = await readCallsWaiting(db, forceIds, instant);
  return rows.flatMap((row) => [
    { forceId: row.forceId, metric: AS_AT_METRIC.callsWaiting, dim: `${row.channel}|${row.queue}`, value: row.waiting },
    {
      forceId: row.forceId,
      metric: AS_AT_METRIC.callsLongestWaitMs,
      dim: `${row.channel}|${row.queue}`,
      value: row.longestMs,
    },
  ]);
}

/** Rows grouped by a key, in one pass (the loaders read every force and window at once). */
function groupBy<T>(rows: readonly T[], keyOf: (row: T) => string): ReadonlyMap<string, readonly T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}
const byForce = (row: { readonly forceId: string }) => row.forceId;

export interface LoadedSnapshotInputs {
  readonly computation: SnapshotComputationInput;
  readonly forceName: string;
  readonly referenceVersion: string;
  readonly populationVintage: string;
  readonly feeds: Readonly<Record<string, FeedInputSummary>>;
  readonly watermarks: Readonly<Record<string, FeedWatermark>>;
  readonly publishedEditions: readonly PublishedEditionInput[];
}

/** The snapshot's force or date cannot be published; the message says why. */
export class SnapshotInputError extends Error {
  override readonly name = 'SnapshotInputError';
}

/**
 * Reads everything one snapshot is computed from, for the force and every force it is compared
 * with: settings, populations, MSG, coverage by month, and the aggregates of each period (and of
 * the same period a year earlier), summed in PostgreSQL from whole months plus the days of
 * partial months. What is read follows periods and metrics; the work grows with months of
 * history (the stock metrics of all of them), never with raw events.
 */
export async function loadSnapshotInputs(
  db: DbOrTransaction,
  forceId: string,
  asOf: LocalDate,
  timeZone = 'Europe/London',
): Promise<LoadedSnapshotInputs> {
  const calendarEndOfDay = (day: LocalDate) => new Date(createCalendar(timeZone).endOfDay(day));
  const forces = await readForceReferences(db);
  const force = forces.find((row) => row.forceId === forceId);
  if (!force) throw new SnapshotInputError(`unknown force ${JSON.stringify(forceId)}: not in the reference data`);
  const reference = await readCurrentReferenceVersion(db);
  if (!reference) throw new SnapshotInputError('no reference data loaded: run `rollcall migrate`');
  const populations = await readPopulations(db, reference.populationVintage);
  // A custom period is published from its last day for a year: long enough for the report it
  // serves, without old windows cluttering every later snapshot.
  const customPeriods = force.settings.reportingPeriods
    .filter((setting) => setting.to <= asOf && asOf < addMonths(setting.to, 12))
    .map((setting) => customPeriod(setting.id, setting.label, setting.from, setting.to));
  const periods = [...standardPeriods(asOf), ...customPeriods];

  // Every span a measure reads: each period, the same period a year earlier, and all history up
  // to the end of either. All history is read for the stock metrics only: a flow summed since
  // the first event means nothing, and the stock rows are a handful per month. Periods sharing
  // a span share its sums, which PostgreSQL computes per force.
  const windows = new Map<string, AggregateWindow>();
  const windowOfPeriod = new Map<string, string>();
  const addWindow = (periodId: string, from: LocalDate | null, to: LocalDate) => {
    const id = `${from ?? 'all'}..${to}`;
    windows.set(id, from === null ? { id, from, to, metrics: [...STOCK_METRICS] } : { id, from, to });
    windowOfPeriod.set(periodId, id);
  };
  const asAt = asAtPeriod(asOf);
  for (const period of standardPeriods(asOf)) {
    const earlier = yearEarlier(period);
    addWindow(period.id, period.from, period.to);
    addWindow(earlier.id, earlier.from, earlier.to);
    addWindow(asAtEndId(earlier, asOf), null, earlier.to);
  }
  for (const period of customPeriods) {
    addWindow(period.id, period.from, period.to);
    if (period.to !== asOf) addWindow(asAtEndId(period, asOf), null, period.to);
  }
  const sums = await sumAggregatesOverWindows(db, {
    forceIds: forces.map((row) => row.forceId),
    windows: [...windows.values()],
  });
  const coverage = await readFeedCoverage(db, { forceIds: null, from: '1900-01-01', to: asOf });

  // The force, its most similar group, and every force with data (national comparisons), in the
  // reference data; the force itself first.
  const forcesById = new Map(forces.map((row) => [row.forceId, row]));
  const candidates = new Set<string>([forceId, ...force.mostSimilarGroup]);
  for (const row of sums) candidates.add(row.forceId);
  for (const row of coverage) candidates.add(row.forceId);
  const forceIds = [...candidates]
    .filter((id) => forcesById.has(id))
    .sort((a, b) => (a === forceId ? -1 : b === forceId ? 1 : a < b ? -1 : 1));

  const liveCalls = groupBy(await readCallsWaitingAt(db, forceIds, calendarEndOfDay(asOf)), byForce);
  const sumsByForce = groupBy(sums, byForce);
  const coverageByForce = groupBy(coverage, byForce);
  const populationsByForce = new Map(populations.map((row) => [row.forceId, row]));

  const inputs = new Map<string, ForceInputs>();
  for (const id of forceIds) {
    // forceIds come from the forces table itself.
    const row = defined(forcesById.get(id), `force ${id}`);
    const byWindow = groupBy(sumsByForce.get(id) ?? [], (row) => row.windowId);
    const aggregates = new Map<string, Aggregates>();
    for (const [periodId, windowId] of windowOfPeriod)
      aggregates.set(periodId, Aggregates.fromRows(byWindow.get(windowId) ?? []));
    // The snapshot-time figures join the as-at aggregates (they describe the end of the as-of day).
    aggregates.set(
      asAt.id,
      Aggregates.fromRows([
        ...(byWindow.get(defined(windowOfPeriod.get(asAt.id), 'the as-at window')) ?? []),
        ...(liveCalls.get(id) ?? []),
      ]),
    );
    const monthsWithData = new Map<MeasureFeed, Set<string>>(FEEDS.map((feed) => [feed, new Set<string>()]));
    for (const month of coverageByForce.get(id) ?? [])
      if (month.events > 0) monthsWithData.get(month.feed as MeasureFeed)?.add(month.month);
    const population = populationsByForce.get(id);
    inputs.set(id, {
      forceId: id,
      settings: row.settings,
      population: population && {
        vintage: population.vintage,
        residents: population.residents,
        groups: population.groups,
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
  const watermarkRows = await readIngestWatermarks(db, forceId);
  const watermarks = Object.fromEntries(
    FEEDS.map((feed) => {
      const row = watermarkRows.find((candidate) => candidate.feed === feed);
      return [feed, { storedEvents: row?.storedEvents ?? 0, lastIngestAt: row?.lastIngestAt.toISOString() ?? null }];
    }),
  );
  // Figures others published for exactly these periods: comparators where a force's own events
  // do not cover a period, and the force's own published figures for reconciliation.
  const stored = await readPublishedFigures(db, {
    periods: periods.flatMap((period) => (period.from === null ? [] : [{ from: period.from, to: period.to }])),
  });
  const publishedFigures: ComparisonFigure[] = stored
    .filter((figure) => forcesById.has(figure.forceId))
    .map((figure) => ({ ...figure, edition: figure.editionSha256.slice(0, 12) }));
  const editions = new Map<string, PublishedEditionInput>();
  for (const figure of stored) {
    const key = `${figure.source}\u0001${figure.editionSha256}`;
    const held = editions.get(key);
    editions.set(key, {
      source: figure.source,
      edition: figure.editionSha256.slice(0, 12),
      file: figure.editionFile,
      figures: (held?.figures ?? 0) + 1,
    });
  }
  return {
    computation: {
      forceId,
      asOf,
      periods,
      forces: inputs,
      mostSimilarGroup: force.mostSimilarGroup,
      publishedFigures,
    },
    publishedEditions: [...editions.values()].sort((a, b) =>
      `${a.source} ${a.edition}` < `${b.source} ${b.edition}` ? -1 : 1,
    ),
    forceName: force.name,
    referenceVersion: reference.version,
    populationVintage: reference.populationVintage,
    feeds,
    watermarks,
  };
}
