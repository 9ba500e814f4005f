import { addDays, createCalendar, type LocalDate } from '@rollcall/calendar';
import { AS_AT_METRIC, breakdownText, defined, STOCK_METRICS } from '@rollcall/contract';
import {
  type AggregateDayRow,
  type ArrivedEvent,
  countEventsByDay,
  type Db,
  type DbOrTransaction,
  findSnapshot,
  readAggregateDayRows,
  readEventsReceivedAfter,
  readFeedCoverage,
  readSnapshotPublishedAt,
} from '@rollcall/db';
import {
  Aggregates,
  asAtEndId,
  type MeasureDefinition,
  type MeasureFeed,
  measureById,
  type MeasureResult,
  monthsOfPeriod,
  type Period,
  type PublishedMeasure,
  yearEarlier,
} from '@rollcall/measures';
import { loadSnapshotInputs } from './load-snapshot-inputs.ts';
import type { SnapshotDocument } from './snapshot-document.ts';
import { parseSnapshotDocument } from './snapshot-document-schema.ts';

/**
 * "Explain a cell" (issue 17): for one entry of a published snapshot, its definition, the figures
 * as published, and the daily aggregate rows the measure's own definition reads to make them, so
 * that the figure can be derived again by hand. The definition is evaluated over the aggregates as
 * the publication loads them (`loadSnapshotInputs`), through a reader that records every read; the
 * rows returned are exactly those reads, day by day. A suppressed entry ([c]) is never explained
 * with its counts.
 */

export interface ExplainRequest {
  readonly snapshotId: string;
  readonly measureId: string;
  /** A period id of the snapshot; default `month` when the measure has it, else its first period. */
  readonly periodId?: string | undefined;
  /** The entry's breakdown; default the headline (no breakdown). */
  readonly breakdown?: Readonly<Record<string, string>> | null | undefined;
}

/** No snapshot with that id. */
export class ExplainNotFoundError extends Error {
  override readonly name = 'ExplainNotFoundError';
}

/** The measure, period or breakdown is not in the snapshot; `choices` are the valid ones. */
export class ExplainInputError extends Error {
  override readonly name = 'ExplainInputError';
  constructor(
    readonly parameter: 'measureId' | 'period' | 'breakdown',
    readonly given: string,
    readonly choices: readonly string[],
  ) {
    super(
      `${parameter}: ${JSON.stringify(given)} is not in the snapshot; valid: ${choices.length > 0 ? choices.join(', ') : '(none)'}`,
    );
  }
}

/** Which aggregates of the period a read was made on (`MeasureInput`). */
export type ExplainInput = 'period' | 'year-earlier' | 'as-at-end';

export interface AggregateRead {
  /** 1, 2, ...: what `days[].sums` refer to. */
  readonly id: number;
  readonly input: ExplainInput;
  /** The days summed: `from` null for all history (stock metrics only, as publication reads them). */
  readonly from: LocalDate | null;
  readonly to: LocalDate;
  /** The `Aggregates` method the definition called. */
  readonly method: 'total' | 'get' | 'dims' | 'sumWhere' | 'groupBy';
  readonly metric: string;
  /** The dimensions it took: every one (`all`), or those listed. */
  readonly dims: 'all' | readonly string[];
  /** What the definition got. */
  readonly value: number;
  /** `numerator`, `denominator` or both when `value` equals that recomputed figure. */
  readonly role: readonly ('numerator' | 'denominator')[];
  /** The rows it sums, day by day; `source` `entities` for the snapshot-time figures of live calls. */
  readonly rows: readonly {
    readonly day: LocalDate;
    readonly dim: string;
    readonly value: number;
    readonly source?: 'entities';
  }[];
  /** Σ rows: equal to `value`. */
  readonly rowsSum: number;
}

export interface ExplainDay {
  readonly day: LocalDate;
  /** Events of the measure's feed stored for the force that occurred that London day. */
  readonly events: number;
  /** When the latest of them was stored; null without events. */
  readonly latestReceivedAt: string | null;
  /** Σ rows of that day per read id (period reads only), for reads with rows that day. */
  readonly sums: Readonly<Record<string, number>>;
}

export interface ExplainedEvents {
  /** Stored after this instant (exclusive) ... */
  readonly receivedAfter: string;
  /** ... and up to this one (inclusive); null: up to now. */
  readonly receivedUntil: string | null;
  readonly total: number;
  /** The first 1,000 by time stored: ids and types only. */
  readonly events: readonly ArrivedEvent[];
}

export interface Figures {
  readonly value: number | null;
  readonly numerator: number | null;
  readonly denominator: number | null;
}

export interface EntryExplanation {
  readonly snapshot: {
    readonly snapshotId: string;
    readonly forceId: string;
    readonly asOf: string;
    readonly revision: number;
    readonly supersedes: string | null;
    readonly codeVersion: string;
    readonly referenceVersion: string;
    readonly populationVintage: string;
    readonly generatedAt: string;
    /** On the database's clock (see `readSnapshotPublishedAt`). */
    readonly publishedAt: string;
  };
  readonly measure: {
    readonly id: string;
    readonly title: string;
    readonly feed: MeasureFeed;
    readonly unit: string;
    readonly direction: string;
    readonly definition: string;
    readonly method: string;
  };
  readonly period: {
    readonly id: string;
    readonly kind: string;
    readonly label: string;
    readonly from: string | null;
    readonly to: string;
  };
  readonly breakdown: Readonly<Record<string, string>> | null;
  /** The entry as published. */
  readonly published: Figures & { readonly flags: readonly string[]; readonly missingMonths?: readonly string[] };
  /** Present for a suppressed entry, with why; nothing counted is given then. */
  readonly suppressed: { readonly flag: '[c]'; readonly reason: string } | null;
  /** How the figures are made; null for a suppressed entry. */
  readonly derivation: {
    /** The definition evaluated now, over the aggregates as they stand. */
    readonly recomputed: Figures & { readonly missingMonths: readonly string[] };
    /** False when events stored since publication changed the figures (see `sincePublication`). */
    readonly matchesPublished: boolean;
    readonly population: {
      readonly vintage: string;
      readonly residents: number;
      readonly role: readonly 'denominator'[];
    } | null;
    readonly reads: readonly AggregateRead[];
    /** The period's days with events or rows, oldest first. */
    readonly days: readonly ExplainDay[];
  } | null;
  /**
   * Months of the period, and whether the feed has events in each (`[x]` otherwise); counts left
   * out when suppressed.
   */
  readonly coverage: {
    readonly feed: MeasureFeed;
    readonly months: readonly { readonly month: string; readonly hasData: boolean; readonly events?: number }[];
  };
  /** Events of the feed in the period stored after this revision was published; null when suppressed. */
  readonly sincePublication: ExplainedEvents | null;
  /** For a revision (> 1): the entry in the revision before, and what arrived in between. */
  readonly revision: {
    readonly previous: { readonly snapshotId: string; readonly revision: number; readonly publishedAt: string | null };
    /** Null when the revision before had no such entry. */
    readonly before: (Figures & { readonly flags: readonly string[] }) | null;
    readonly differences: readonly {
      readonly field: 'value' | 'numerator' | 'denominator';
      readonly before: number | null;
      readonly after: number | null;
      readonly change: number | null;
    }[];
    /** Null when suppressed. */
    readonly eventsArrived: ExplainedEvents | null;
  } | null;
}

const MAX_LISTED_EVENTS = 1_000;

export { breakdownText } from '@rollcall/contract';

/** In words, how the value follows from numerator and denominator (the definition says what they count). */
export function methodOf(definition: Pick<MeasureDefinition, 'unit'>): string {
  switch (definition.unit) {
    case 'percent':
      return 'value = numerator ÷ denominator × 100';
    case 'per-1000':
      return 'value = numerator ÷ denominator × 1,000';
    case 'count':
      return 'value = numerator (a count; no denominator)';
    default:
      return 'computed by the definition from the reads below (see the definition); numerator and denominator as it states';
  }
}

interface RecordedRead {
  readonly input: ExplainInput;
  readonly method: AggregateRead['method'];
  readonly metric: string;
  /** Which dimensions the read took; `dims` lists the ones seen. */
  readonly takes: (dim: string) => boolean;
  readonly dims: 'all' | readonly string[];
  readonly value: number;
}

/** `aggregates` as the definition sees it, with every read recorded in `reads`. */
function recording(aggregates: Aggregates, input: ExplainInput, reads: RecordedRead[]): Aggregates {
  const all = () => true;
  const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);
  return new Proxy(aggregates, {
    get(target, property) {
      switch (property) {
        case 'total':
          return (metric: string) => {
            const value = target.total(metric);
            reads.push({ input, method: 'total', metric, takes: all, dims: 'all', value });
            return value;
          };
        case 'get':
          return (metric: string, dim: string) => {
            const value = target.get(metric, dim);
            reads.push({ input, method: 'get', metric, takes: (d) => d === dim, dims: [dim], value });
            return value;
          };
        case 'dims':
          return (metric: string) => {
            const dims = target.dims(metric);
            reads.push({ input, method: 'dims', metric, takes: all, dims: 'all', value: sum(dims.values()) });
            return dims;
          };
        case 'groupBy':
          return (metric: string, index: number) => {
            const groups = target.groupBy(metric, index);
            reads.push({ input, method: 'groupBy', metric, takes: all, dims: 'all', value: sum(groups.values()) });
            return groups;
          };
        case 'sumWhere':
          return (metric: string, where: (parts: readonly string[]) => boolean) => {
            const seen: string[] = [];
            const value = target.sumWhere(metric, (parts) => {
              const taken = where(parts);
              if (taken) seen.push(parts.join('|'));
              return taken;
            });
            // The predicate itself decides for rows too: a dimension whose period sum is 0 is not
            // in the aggregates, but its daily rows (adding up to 0) belong to the read all the same.
            reads.push({
              input,
              method: 'sumWhere',
              metric,
              takes: (dim) => where(dim.split('|')),
              dims: seen.sort(),
              value,
            });
            return value;
          };
        default: {
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        }
      }
    },
  });
}

/** Months of the period without data for the feed, as the snapshot engine reckons them (`missingMonths` there). */
function missingMonthsOf(monthsWithData: ReadonlySet<string>, period: Period): string[] {
  if (period.from === null)
    return [...monthsWithData].some((month) => month <= period.to.slice(0, 7)) ? [] : ['(no data up to the as-of day)'];
  return monthsOfPeriod(period).filter((month) => !monthsWithData.has(month));
}

const sameNumber = (a: number | null, b: number | null) =>
  a === null || b === null ? a === b : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

/** Picks the entry, or says which measure, period or breakdown the snapshot has instead. */
function selectEntry(document: SnapshotDocument, request: ExplainRequest): { entry: PublishedMeasure; period: Period } {
  const ofMeasure = document.measures.filter((measure) => measure.measureId === request.measureId);
  if (ofMeasure.length === 0)
    throw new ExplainInputError('measureId', request.measureId, [
      ...new Set(document.measures.map((measure) => measure.measureId)),
    ]);
  const periodIds = [...new Set(ofMeasure.map((measure) => measure.period.id))];
  const periodId =
    request.periodId ??
    (periodIds.includes('month') ? 'month' : defined(periodIds[0], `a period of ${request.measureId}`));
  const inPeriod = ofMeasure.filter((measure) => measure.period.id === periodId);
  if (inPeriod.length === 0) throw new ExplainInputError('period', periodId, periodIds);
  const wanted = breakdownText(request.breakdown);
  const entry = inPeriod.find((measure) => breakdownText(measure.breakdown) === wanted);
  if (!entry)
    throw new ExplainInputError(
      'breakdown',
      wanted === '' ? '(none: the headline)' : wanted,
      inPeriod.map((measure) => breakdownText(measure.breakdown) || '(none: the headline)'),
    );
  const period = document.periods.find((candidate) => candidate.id === periodId);
  if (!period) throw new Error(`snapshot ${document.snapshotId} lists no period ${periodId}`);
  return { entry, period };
}

const figuresOf = (entry: { value: number | null; numerator: number | null; denominator: number | null }): Figures => ({
  value: entry.value,
  numerator: entry.numerator,
  denominator: entry.denominator,
});

/**
 * Explains one entry of a published snapshot (see the module comment). Reads one consistent view
 * of the database (a repeatable-read, read-only transaction). Throws ExplainNotFoundError for an
 * unknown snapshot and ExplainInputError for a measure, period or breakdown the snapshot lacks.
 */
export async function explainEntry(db: Db, request: ExplainRequest): Promise<EntryExplanation> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute((trx) => explainIn(trx, request));
}

async function explainIn(db: DbOrTransaction, request: ExplainRequest): Promise<EntryExplanation> {
  const stored = await findSnapshot(db, request.snapshotId);
  if (!stored) throw new ExplainNotFoundError(`no snapshot ${request.snapshotId}`);
  const document = parseSnapshotDocument(stored.snapshotId, stored.document);
  const { entry, period } = selectEntry(document, request);
  const definition = measureById(entry.measureId);
  if (!definition) throw new ExplainInputError('measureId', entry.measureId, []);
  const calendar = createCalendar(document.timeZone);
  const publishedAt = await readSnapshotPublishedAt(db, document.snapshotId);
  // Found above in this same repeatable-read transaction, so it cannot have gone since.
  if (publishedAt === undefined) throw new ExplainNotFoundError(`no snapshot ${request.snapshotId}`);
  const suppressed = entry.suppressed === '[c]' || entry.flags.includes('[c]');

  const coverageRows = await readFeedCoverage(db, {
    forceIds: [document.forceId],
    from: period.from ?? '1900-01-01',
    to: period.to,
  });
  const eventsByMonth = new Map(
    coverageRows.filter((row) => row.feed === definition.feed && row.events > 0).map((row) => [row.month, row.events]),
  );
  const coverageMonths = period.from === null ? [...eventsByMonth.keys()].sort() : monthsOfPeriod(period);
  const coverage = {
    feed: definition.feed,
    months: coverageMonths.map((month) => ({
      month,
      hasData: eventsByMonth.has(month),
      ...(!suppressed && { events: eventsByMonth.get(month) ?? 0 }),
    })),
  };

  const occurredFrom = period.from === null ? null : new Date(calendar.startOfDay(period.from));
  const occurredTo = new Date(calendar.endOfDay(period.to));
  const eventsReceived = async (after: Date, until: Date | null): Promise<ExplainedEvents> => {
    const found = await readEventsReceivedAfter(db, {
      forceId: document.forceId,
      feed: definition.feed,
      occurredFrom,
      occurredTo,
      receivedAfter: after,
      receivedUntil: until,
      limit: MAX_LISTED_EVENTS,
    });
    return { receivedAfter: after.toISOString(), receivedUntil: until?.toISOString() ?? null, ...found };
  };

  let revision: EntryExplanation['revision'] = null;
  if (document.supersedes !== null) {
    const previous = await findSnapshot(db, document.supersedes);
    const previousAt = previous && (await readSnapshotPublishedAt(db, previous.snapshotId));
    const before = previous
      ? parseSnapshotDocument(previous.snapshotId, previous.document).measures.find(
          (measure) =>
            measure.measureId === entry.measureId &&
            measure.period.id === entry.period.id &&
            breakdownText(measure.breakdown) === breakdownText(entry.breakdown),
        )
      : undefined;
    const differences = (['value', 'numerator', 'denominator'] as const).flatMap((field) => {
      const was = before ? before[field] : null;
      const now = entry[field];
      return sameNumber(was, now)
        ? []
        : [{ field, before: was, after: now, change: was !== null && now !== null ? now - was : null }];
    });
    revision = {
      previous: {
        snapshotId: document.supersedes,
        revision: previous?.revision ?? document.revision - 1,
        publishedAt: previousAt?.toISOString() ?? null,
      },
      before: before ? { ...figuresOf(before), flags: before.flags } : null,
      differences,
      eventsArrived: suppressed || !previousAt ? null : await eventsReceived(previousAt, publishedAt),
    };
  }

  const explanation = {
    snapshot: {
      snapshotId: document.snapshotId,
      forceId: document.forceId,
      asOf: document.asOf,
      revision: document.revision,
      supersedes: document.supersedes,
      codeVersion: document.codeVersion,
      referenceVersion: document.referenceVersion,
      populationVintage: document.populationVintage,
      generatedAt: document.generatedAt,
      publishedAt: publishedAt.toISOString(),
    },
    measure: {
      id: definition.id,
      title: definition.title,
      feed: definition.feed,
      unit: definition.unit,
      direction: definition.direction,
      definition: definition.definition,
      method: methodOf(definition),
    },
    period: { id: period.id, kind: period.kind, label: period.label, from: period.from, to: period.to },
    breakdown: entry.breakdown,
    published: {
      ...figuresOf(entry),
      flags: entry.flags,
      ...(entry.missingMonths && { missingMonths: entry.missingMonths }),
    },
    coverage,
    revision,
  };
  if (suppressed) {
    return {
      ...explanation,
      suppressed: {
        flag: '[c]',
        reason:
          `suppressed by disclosure control: a count behind this entry is from 1 to ${document.rules.disclosure.maxSuppressedCount}, or would follow from published figures by subtraction, ` +
          'or was suppressed to protect one; its counts, aggregate rows and events are not shown',
      },
      derivation: null,
      sincePublication: null,
    };
  }
  return {
    ...explanation,
    suppressed: null,
    derivation: await derive(db, document, definition, entry, period, calendar),
    sincePublication: await eventsReceived(publishedAt, null),
  };
}

/**
 * Evaluates the definition over the publication's inputs as they stand, recording its reads, and
 * fetches their rows.
 */
async function derive(
  db: DbOrTransaction,
  document: SnapshotDocument,
  definition: MeasureDefinition,
  entry: PublishedMeasure,
  period: Period,
  calendar: ReturnType<typeof createCalendar>,
): Promise<NonNullable<EntryExplanation['derivation']>> {
  const inputs = await loadSnapshotInputs(db, document.forceId, document.asOf, document.timeZone);
  const force = inputs.computation.forces.get(document.forceId);
  const earlier = yearEarlier(period);
  const windows: Record<ExplainInput, { from: LocalDate | null; to: LocalDate; key: string }> = {
    period: { from: period.from, to: period.to, key: period.id },
    'year-earlier': { from: earlier.from, to: earlier.to, key: earlier.id },
    'as-at-end': { from: null, to: period.to, key: asAtEndId(period, document.asOf) },
  };
  const aggregatesOf = (input: ExplainInput) => force?.aggregates.get(windows[input].key) ?? Aggregates.EMPTY;
  const recorded: RecordedRead[] = [];
  const results: readonly MeasureResult[] = force
    ? definition.compute({
        aggregates: recording(aggregatesOf('period'), 'period', recorded),
        yearEarlier: recording(aggregatesOf('year-earlier'), 'year-earlier', recorded),
        asAtEnd: recording(aggregatesOf('as-at-end'), 'as-at-end', recorded),
        settings: force.settings,
        population: force.population,
      })
    : [];
  const result = results.find((candidate) => breakdownText(candidate.breakdown) === breakdownText(entry.breakdown));
  const monthsWithData = force?.monthsWithData.get(definition.feed) ?? new Set<string>();
  const missing = [
    ...missingMonthsOf(monthsWithData, period),
    ...(definition.readsYearEarlier ? missingMonthsOf(monthsWithData, earlier) : []),
  ];
  const available = missing.length === 0 && result !== undefined;
  const recomputed = {
    value: available ? result.value : null,
    numerator: available ? result.numerator : null,
    denominator: available ? result.denominator : null,
    missingMonths: missing,
  };

  // One read per distinct question: a definition asking for the same total twice read it once.
  const distinct = new Map<string, RecordedRead>();
  for (const read of recorded)
    distinct.set(`${read.input}|${read.method}|${read.metric}|${JSON.stringify(read.dims)}`, read);
  const rowsByInput = new Map<ExplainInput, AggregateDayRow[]>();
  for (const input of ['period', 'year-earlier', 'as-at-end'] as const) {
    const window = windows[input];
    // All history is read for the stock metrics only, as the publication reads it.
    const metrics = [
      ...new Set([...distinct.values()].filter((read) => read.input === input).map((read) => read.metric)),
    ].filter((metric) => window.from !== null || STOCK_METRICS.has(metric));
    rowsByInput.set(
      input,
      await readAggregateDayRows(db, { forceId: document.forceId, from: window.from, to: window.to, metrics }),
    );
  }
  const liveMetrics = new Set<string>(Object.values(AS_AT_METRIC));
  const reads: AggregateRead[] = [...distinct.values()].map((read, index) => {
    const window = windows[read.input];
    const rows: { day: LocalDate; dim: string; value: number; source?: 'entities' }[] = (
      rowsByInput.get(read.input) ?? []
    )
      .filter((row) => row.metric === read.metric && read.takes(row.dim))
      .map((row) => ({ day: row.day, dim: row.dim, value: row.value }));
    // Calls waiting at the end of the as-of day are read from the calls themselves, not from aggregates.
    if (liveMetrics.has(read.metric)) {
      for (const [dim, value] of aggregatesOf(read.input).dims(read.metric))
        if (read.takes(dim)) rows.push({ day: window.to, dim, value, source: 'entities' });
    }
    const role = [
      ...(recomputed.numerator !== null && sameNumber(read.value, recomputed.numerator)
        ? (['numerator'] as const)
        : []),
      ...(recomputed.denominator !== null && sameNumber(read.value, recomputed.denominator)
        ? (['denominator'] as const)
        : []),
    ];
    return {
      id: index + 1,
      input: read.input,
      from: window.from,
      to: window.to,
      method: read.method,
      metric: read.metric,
      dims: read.dims,
      value: read.value,
      role,
      rows,
      rowsSum: rows.reduce((total, row) => total + row.value, 0),
    };
  });

  const periodReads = reads.filter((read) => read.input === 'period');
  const spans =
    period.from === null
      ? [...new Set(periodReads.flatMap((read) => read.rows.map((row) => row.day)))].sort()
      : daysFrom(period.from, period.to);
  const eventDays = await countEventsByDay(db, {
    forceId: document.forceId,
    feed: definition.feed,
    days: spans.map((day) => ({
      day,
      start: new Date(calendar.startOfDay(day)),
      end: new Date(calendar.endOfDay(day)),
    })),
  });
  const eventsOn = new Map(eventDays.map((day) => [day.day, day]));
  const days: ExplainDay[] = spans.flatMap((day) => {
    const sums: Record<string, number> = {};
    for (const read of periodReads) {
      const onDay = read.rows.filter((row) => row.day === day);
      if (onDay.length > 0) sums[String(read.id)] = onDay.reduce((total, row) => total + row.value, 0);
    }
    const events = eventsOn.get(day);
    if (!events && Object.keys(sums).length === 0) return [];
    return [
      { day, events: events?.events ?? 0, latestReceivedAt: events?.latestReceivedAt.toISOString() ?? null, sums },
    ];
  });

  const population = force?.population ?? null;
  return {
    recomputed,
    matchesPublished:
      sameNumber(recomputed.value, entry.value) &&
      sameNumber(recomputed.numerator, entry.numerator) &&
      sameNumber(recomputed.denominator, entry.denominator),
    population: population && {
      vintage: population.vintage,
      residents: population.residents,
      role:
        recomputed.denominator !== null &&
        population.residents === recomputed.denominator &&
        definition.unit === 'per-1000'
          ? ['denominator']
          : [],
    },
    reads,
    days,
  };
}

function daysFrom(from: LocalDate, to: LocalDate): LocalDate[] {
  const days: LocalDate[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  return days;
}
