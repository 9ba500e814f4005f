import { addMonths } from '@rollcall/calendar';
import type { Config } from '@rollcall/config';
import {
  type FigureCard,
  formatAgainstTarget,
  type ForceRef,
  type LiveData,
  type MeasurePageData,
  type MsgBar,
  type MsgChart,
  type ReportData,
  type RevisionRow,
  type ScorecardData,
  type SnapshotRef,
  type ViewContext,
} from '@rollcall/dashboard';
import {
  type Db,
  findLatestSnapshot,
  findSnapshot,
  listSnapshots,
  readCallsWaiting,
  readForceNames,
  type StoredSnapshot,
} from '@rollcall/db';
import { MEASURES, type MeasureDefinition, type PublishedMeasure } from '@rollcall/measures';
import { methodOf, type SnapshotDocument } from '@rollcall/publishing';
import { cardOf, narrativeOf, pointsPerPeriod } from './dashboard-figures.ts';
import { defaultPeriodOf } from './measure-series.ts';
import { readSeriesEntries } from '@rollcall/db';
import { documentOf } from './stored-document.ts';

/** Feeds in the order of measures.md, with the heading and the priority the report groups them under. */
export const FEED_HEADINGS: Readonly<Record<string, { readonly title: string; readonly priority: string }>> = {
  'call-handling': { title: 'Call handling', priority: 'Answering the public when they call' },
  'wanted-persons': { title: 'Wanted persons', priority: 'Catching wanted offenders' },
  dvpo: { title: 'Domestic violence protection', priority: 'Protecting victims of domestic abuse' },
  'stop-search': { title: 'Stop and search', priority: 'Fair and legitimate use of powers' },
};

/**
 * Measures the live view shows from call state at request time; a snapshot's end-of-day figure would mislead on a card.
 */
const isLiveMeasure = (definition: MeasureDefinition) => definition.id.startsWith('calls.live.');

/** Chart range: the 12 complete months before the latest snapshot's month, and its month to date. */
const CHART_MONTHS = 13;
/** Snapshots read per chart: a nightly run publishes one a day, 13 months is under 400. */
const CHART_SNAPSHOT_LIMIT = 500;

export async function viewContextOf(
  db: Db,
  config: Pick<Config, 'forces'>,
  forceId: string,
  admin: boolean,
): Promise<ViewContext> {
  const names = new Map((await readForceNames(db, config.forces)).map((row) => [row.forceId, row.name]));
  const forces: ForceRef[] = config.forces.map((id) => ({ id, name: names.get(id) ?? id }));
  return { force: { id: forceId, name: names.get(forceId) ?? forceId }, forces, admin };
}

const snapshotRefOf = (stored: StoredSnapshot): SnapshotRef => ({
  snapshotId: stored.snapshotId,
  asOf: stored.asOf,
  revision: stored.revision,
  generatedAt: stored.generatedAt.toISOString(),
});

/** The headline entry (no breakdown) of a measure and period. */
const headlineOf = (document: SnapshotDocument, measureId: string, periodId: string): PublishedMeasure | undefined =>
  document.measures.find(
    (entry) => entry.measureId === measureId && entry.period.id === periodId && entry.breakdown === null,
  );

function headlineCards(document: SnapshotDocument): { definition: MeasureDefinition; card: FigureCard }[] {
  return MEASURES.filter((definition) => !isLiveMeasure(definition)).flatMap((definition) => {
    const entry = headlineOf(document, definition.id, defaultPeriodOf(definition));
    return entry ? [{ definition, card: cardOf(definition, entry) }] : [];
  });
}

function byFeed<T>(items: readonly { definition: MeasureDefinition; item: T }[]): { feed: string; items: T[] }[] {
  return Object.keys(FEED_HEADINGS)
    .map((feed) => ({
      feed,
      items: items.filter((entry) => entry.definition.feed === feed).map((entry) => entry.item),
    }))
    .filter((group) => group.items.length > 0);
}

/** `GET /dashboard/data/scorecard`: the latest snapshot's headline figures, a card each, by feed. */
export async function loadScorecard(db: Db, context: ViewContext): Promise<ScorecardData> {
  const stored = await findLatestSnapshot(db, context.force.id, { visibleAt: new Date() });
  if (stored === undefined) return { ...context, snapshot: null, feeds: [] };
  const cards = headlineCards(documentOf(stored)).map(({ definition, card }) => ({ definition, item: card }));
  return {
    ...context,
    snapshot: snapshotRefOf(stored),
    feeds: byFeed(cards).map((group) => ({
      feed: group.feed,
      title: FEED_HEADINGS[group.feed]?.title ?? group.feed,
      cards: group.items,
    })),
  };
}

async function chartPoints(db: Db, forceId: string, measureId: string, periodId: string, asOf: string) {
  const snapshots = await readSeriesEntries<PublishedMeasure>(db, {
    forceId,
    measureId,
    periodId,
    breakdown: '',
    from: addMonths(asOf, -CHART_MONTHS),
    to: asOf,
    limit: CHART_SNAPSHOT_LIMIT,
  });
  return pointsPerPeriod(snapshots);
}

const isBetter = (direction: string) => (a: number, b: number) => (direction === 'lower-is-better' ? a - b : b - a);

async function msgChartOf(
  db: Db,
  context: ViewContext,
  entry: PublishedMeasure,
  asOf: string,
): Promise<MsgChart | null> {
  const msg = entry.msg;
  if (msg === undefined) return null;
  const names = new Map((await readForceNames(db, msg.forces)).map((row) => [row.forceId, row.name]));
  const bars: MsgBar[] = [];
  for (const forceId of msg.forces) {
    const self = forceId === context.force.id;
    let value = self ? entry.value : null;
    if (!self) {
      const [other] = await readSeriesEntries<PublishedMeasure>(db, {
        forceId,
        measureId: entry.measureId,
        periodId: entry.period.id,
        breakdown: '',
        from: asOf,
        to: asOf,
        limit: 1,
      });
      value = other?.entry?.value ?? null;
    }
    bars.push({ forceId, name: names.get(forceId) ?? forceId, value, self });
  }
  const order = isBetter(entry.direction);
  bars.sort((a, b) => (a.value === null ? 1 : b.value === null ? -1 : order(a.value, b.value)));
  const band = entry.national?.band;
  return {
    periodId: entry.period.id,
    rank: msg.rank,
    rankInterval: msg.rankInterval?.label ?? null,
    average: msg.average,
    band: band ? { lower: band.lower, upper: band.upper } : null,
    bars: bars.filter((bar) => bar.value !== null || bar.self),
  };
}

async function revisionsOf(
  db: Db,
  forceId: string,
  asOf: string,
  measureId: string,
  periodId: string,
): Promise<RevisionRow[]> {
  const listed = await listSnapshots(db, { forceIds: [forceId], from: asOf, to: asOf });
  const rows: RevisionRow[] = [];
  for (const item of [...listed].sort((a, b) => a.revision - b.revision)) {
    const stored = await findSnapshot(db, item.snapshotId);
    if (stored === undefined) continue;
    const document = documentOf(stored);
    const entry = headlineOf(document, measureId, periodId);
    const reasons = document.revisionOf?.reasons;
    rows.push({
      snapshotId: item.snapshotId,
      revision: item.revision,
      generatedAt: item.generatedAt.toISOString(),
      value: entry?.value ?? null,
      flags: entry ? [...(entry.suppressed ? [entry.suppressed] : []), ...entry.flags] : ['[x]'],
      reasons: reasons
        ? [
            ...(reasons.lateEvents > 0 ? [`${reasons.lateEvents} late events`] : []),
            ...(reasons.correctedEvents > 0 ? [`${reasons.correctedEvents} corrected events`] : []),
            ...(reasons.referenceDataChanged ? ['reference data changed'] : []),
            ...(reasons.otherForcesData ? ["other forces' data"] : []),
            ...(reasons.other ? ['other (code change)'] : []),
          ]
        : ['first publication'],
    });
  }
  return rows;
}

/** `GET /dashboard/data/measures/:measureId`: everything the measure page draws, in one answer. */
export async function loadMeasurePage(
  db: Db,
  context: ViewContext,
  definition: MeasureDefinition,
): Promise<MeasurePageData> {
  const stored = await findLatestSnapshot(db, context.force.id, { visibleAt: new Date() });
  const document = stored && documentOf(stored);
  const { id, title, feed, unit, direction, source } = definition;
  // How the value is computed, then the snapshot's own statement of its intervals and status rule.
  const rules = document ? [document.rules.confidenceIntervals, document.rules.targetStatus ?? ''] : [];
  const method = [`${methodOf(definition)}.`, ...rules].filter((text) => text !== '').join(' ');
  const measure = {
    id,
    title,
    feed,
    unit,
    direction,
    definition: definition.definition,
    source,
    method,
    periods: [...definition.periods],
  };
  if (stored === undefined || document === undefined)
    return { ...context, measure, snapshot: null, latest: [], monthly: [], rolling: [], msg: null, revisions: [] };
  const latest = definition.periods.flatMap((periodId) => {
    const entry = headlineOf(document, definition.id, periodId);
    return entry ? [cardOf(definition, entry)] : [];
  });
  const headlinePeriod = defaultPeriodOf(definition);
  const headline = headlineOf(document, definition.id, headlinePeriod);
  const has = (periodId: string) => definition.periods.some((kind) => kind === periodId);
  return {
    ...context,
    measure,
    snapshot: snapshotRefOf(stored),
    latest,
    monthly: has('month') ? await chartPoints(db, context.force.id, definition.id, 'month', stored.asOf) : [],
    rolling: has('rolling-12m')
      ? await chartPoints(db, context.force.id, definition.id, 'rolling-12m', stored.asOf)
      : [],
    msg: headline ? await msgChartOf(db, context, headline, stored.asOf) : null,
    revisions: headline ? await revisionsOf(db, context.force.id, stored.asOf, definition.id, headlinePeriod) : [],
  };
}

/** How often the live view asks again. */
export const LIVE_REFRESH_SECONDS = 5;
const STANDARD_QUEUES = [
  { channel: '999', queue: 'primary' },
  { channel: '101', queue: 'primary' },
  { channel: '101', queue: 'secondary' },
] as const;

/**
 * `GET /dashboard/data/live`: calls waiting now and the longest wait, from the stored call state
 * at the moment of the request. Counts from 1 to `suppressMaxCount` are suppressed (with their
 * longest wait, which would show a call is there) unless `exact` (a token with read:ops, the
 * communications centre's own staff).
 */
export async function loadLive(
  db: Db,
  context: ViewContext,
  options: { now: Date; suppressMaxCount: number; exact: boolean },
): Promise<LiveData> {
  const rows = await readCallsWaiting(db, [context.force.id], options.now);
  const found = new Map(rows.map((row) => [`${row.channel}|${row.queue}`, row]));
  const keys = [
    ...STANDARD_QUEUES.map((q) => `${q.channel}|${q.queue}`),
    ...[...found.keys()].filter((key) => !STANDARD_QUEUES.some((q) => `${q.channel}|${q.queue}` === key)).sort(),
  ];
  return {
    ...context,
    readAt: options.now.toISOString(),
    refreshSeconds: LIVE_REFRESH_SECONDS,
    queues: keys.map((key) => {
      const [channel = '', queue = ''] = key.split('|');
      const row = found.get(key);
      const waiting = row?.waiting ?? 0;
      const suppressed = !options.exact && waiting >= 1 && waiting <= options.suppressMaxCount;
      return {
        channel,
        queue,
        waiting: suppressed ? null : waiting,
        longestWaitSeconds: suppressed || row === undefined ? null : Math.round(row.longestMs / 1000),
        suppressed,
      };
    }),
  };
}

/** `GET /dashboard/data/report`: the printable report, headline measures grouped by priority, with monthly charts. */
export async function loadReport(db: Db, context: ViewContext): Promise<ReportData> {
  const stored = await findLatestSnapshot(db, context.force.id, { visibleAt: new Date() });
  if (stored === undefined) return { ...context, snapshot: null, period: null, groups: [], notAvailable: [] };
  const document = documentOf(stored);
  const items = [];
  const cards = headlineCards(document);
  // A figure not available for the period ([x]: no data for part of it) gets no chart, only a line at the end.
  const notAvailable = cards
    .filter(({ card }) => card.value === null && card.flags.includes('[x]'))
    .map(({ card }) => card.title);
  for (const { definition, card } of cards.filter(({ card }) => !notAvailable.includes(card.title))) {
    const periodId = definition.periods.includes('month') ? 'month' : defaultPeriodOf(definition);
    const monthly = await chartPoints(db, context.force.id, definition.id, periodId, stored.asOf);
    items.push({
      definition,
      item: {
        card,
        monthly,
        narrative: narrativeOf(card, (value) => formatAgainstTarget(value, card.target, card.unit)),
      },
    });
  }
  const rolling = document.periods.find((period) => period.kind === 'rolling-12m');
  return {
    ...context,
    snapshot: snapshotRefOf(stored),
    period: rolling?.label ?? stored.asOf,
    groups: byFeed(items).map((group) => ({
      priority: FEED_HEADINGS[group.feed]?.priority ?? group.feed,
      measures: group.items,
    })),
    notAvailable,
  };
}
