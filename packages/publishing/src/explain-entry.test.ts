import { exampleEvent, METRIC, timeBinUpper } from '@rollcall/contract';
import { createSilentLogger } from '@rollcall/logger';
import { groupedQuantile } from '@rollcall/measures';
import { storeFeedBatch } from '@rollcall/store';
import { createTestDatabase, type TestDatabase, testIngestContext } from '@rollcall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AggregateRead,
  type EntryExplanation,
  explainEntry,
  ExplainInputError,
  ExplainNotFoundError,
} from './explain-entry.ts';
import type { PublishDeps } from './publish-deps.ts';
import { publishSnapshot } from './publish-snapshot.ts';

const FORCE = 'avon-and-somerset';
let test: TestDatabase;
let deps: PublishDeps;
const context = testIngestContext();
const R1 = `${FORCE}_2022-03-31_r1`;
const R2 = `${FORCE}_2022-03-31_r2`;

/** 999 calls presented on `day` at 10:00 UTC, answered after each of `seconds`. */
function calls(day: string, seconds: readonly number[], prefix: string) {
  return seconds.flatMap((wait, i) => {
    const callId = `${prefix}-${i}`;
    const presentedAt = `${day}T10:00:00Z`;
    return [
      exampleEvent('call.presented', {
        eventId: `${callId}-p`,
        occurredAt: presentedAt,
        payload: { callId, btTransferSeconds: 0 },
      }),
      exampleEvent('call.answered', {
        eventId: `${callId}-a`,
        occurredAt: new Date(Date.parse(presentedAt) + wait * 1000).toISOString(),
        payload: { callId },
      }),
    ];
  });
}
const times = (count: number, seconds: number) => Array.from({ length: count }, () => seconds);

const searches = (day: string, count: number) =>
  Array.from({ length: count }, (_, i) =>
    exampleEvent('stop-search.recorded', {
      eventId: `ss-${day}-${i}`,
      occurredAt: `${day}T14:00:00Z`,
      payload: { recordId: `s-${day}-${i}` },
    }),
  );

const dvpo = (day: string, count: number) =>
  Array.from({ length: count }, (_, i) => [
    exampleEvent('dvpo.applied', {
      eventId: `dvpo-a-${day}-${i}`,
      occurredAt: `${day}T09:00:00Z`,
      payload: { caseRef: `d-${day}-${i}`, subjectRef: `S-${day}-${i}` },
    }),
    exampleEvent('dvpo.decided', {
      eventId: `dvpo-d-${day}-${i}`,
      occurredAt: `${day}T15:00:00Z`,
      payload: { caseRef: `d-${day}-${i}`, outcome: 'granted' },
    }),
  ]).flat();

/** Circulations still open: stocks, read from all history up to the as-of day. */
const circulations = (day: string, count: number) =>
  Array.from({ length: count }, (_, i) =>
    exampleEvent('wanted.circulated', {
      eventId: `w-${day}-${i}`,
      occurredAt: `${day}T12:00:00Z`,
      payload: { circulationId: `w-${day}-${i}`, personRef: `PNC-${day}-${i}` },
    }),
  );

/** Two DVPNs: a count of 2, suppressed [c]. */
const dvpns = [1, 2].map((i) =>
  exampleEvent('dvpn.authorised', {
    eventId: `dvpn-secret-${i}`,
    occurredAt: '2022-03-07T11:00:00Z',
    payload: { caseRef: `n-${i}`, subjectRef: `SUBJECT-${i}` },
  }),
);

beforeAll(async () => {
  test = await createTestDatabase();
  deps = {
    db: test.db,
    snapshotDir: null,
    disclosure: { maxSuppressedCount: 4 },
    timeZone: 'Europe/London',
    log: createSilentLogger(),
  };
  const store = (feed: 'call-handling' | 'stop-search' | 'dvpo', inputs: unknown[]) =>
    storeFeedBatch(test.db, { feed, inputs, source: 'test' }, context);
  // 999 calls: 1 March 30 at 3 s, 40 at 5 s, 20 at 8 s, 10 at 30 s; 15 March 20 at 4 s, 10 at 12 s.
  await store(
    'call-handling',
    calls('2022-03-01', [...times(30, 3), ...times(40, 5), ...times(20, 8), ...times(10, 30)], 'mar1'),
  );
  await store('call-handling', calls('2022-03-15', [...times(20, 4), ...times(10, 12)], 'mar15'));
  await store('stop-search', [...searches('2022-03-03', 30), ...searches('2022-03-20', 20)]);
  await store('dvpo', [...dvpo('2022-03-04', 4), ...dvpo('2022-03-22', 3), ...dvpns]);
  await storeFeedBatch(
    test.db,
    {
      feed: 'wanted-persons',
      inputs: [...circulations('2021-08-02', 6), ...circulations('2022-03-10', 5)],
      source: 'test',
    },
    context,
  );
  const r1 = await publishSnapshot(deps, FORCE, '2022-03-31');
  // Late: 20 calls of 2 March answered in 40 s, after r1 was published.
  await store('call-handling', calls('2022-03-02', times(20, 40), 'late'));
  const r2 = await publishSnapshot(deps, FORCE, '2022-03-31');
  if (r1.snapshotId !== R1 || r2.snapshotId !== R2) throw new Error('the snapshots were not published as expected');
});
afterAll(async () => {
  await test?.destroy();
});

const explain = (measureId: string, snapshotId = R2, periodId?: string) =>
  explainEntry(test.db, { snapshotId, measureId, ...(periodId && { periodId }) });
const readsOf = (explanation: EntryExplanation, role: 'numerator' | 'denominator'): AggregateRead[] =>
  explanation.derivation!.reads.filter((read) => read.role.includes(role));
const rowsSum = (reads: readonly AggregateRead[]) =>
  reads.flatMap((read) => read.rows).reduce((sum, row) => sum + row.value, 0);

describe('explainEntry re-derives the published figure from the explanation alone', () => {
  it('a share: Σ numerator rows ÷ Σ denominator rows × 100 is the published value', async () => {
    const explanation = await explain('calls.999.answered_within_10s');
    // 150 calls: 130 from r1 (110 under 10 s) and 20 late ones in 40 s.
    expect(explanation.published).toEqual({
      value: (110 / 150) * 100,
      numerator: 110,
      denominator: 150,
      flags: ['[r]'],
    });
    expect(explanation.measure).toMatchObject({
      id: 'calls.999.answered_within_10s',
      unit: 'percent',
      direction: 'higher-is-better',
      method: 'value = numerator ÷ denominator × 100',
    });
    expect(explanation.measure.definition).toContain('share whose answering time is under 10 s');
    expect(explanation.snapshot).toMatchObject({
      snapshotId: R2,
      revision: 2,
      supersedes: R1,
      referenceVersion: expect.any(String),
      codeVersion: expect.any(String),
    });
    const [numerator] = readsOf(explanation, 'numerator');
    const [denominator] = readsOf(explanation, 'denominator');
    expect(numerator).toMatchObject({
      input: 'period',
      method: 'sumWhere',
      metric: METRIC.calls999AnswerTimeBins,
      dims: ['3', '4', '5', '8'],
      value: 110,
      rowsSum: 110,
    });
    expect(denominator).toMatchObject({
      input: 'period',
      method: 'total',
      metric: METRIC.calls999Answered,
      dims: 'all',
      value: 150,
      rowsSum: 150,
    });
    expect((rowsSum([numerator!]) / rowsSum([denominator!])) * 100).toBe(explanation.published.value);
    expect(explanation.derivation).toMatchObject({
      matchesPublished: true,
      recomputed: { value: (110 / 150) * 100, numerator: 110, denominator: 150, missingMonths: [] },
    });
    // Day by day: each day's events (presented + answered) and what each read took that day.
    const byDay = explanation.derivation!.days.map(({ day, events, sums }) => ({ day, events, sums }));
    expect(byDay).toEqual([
      { day: '2022-03-01', events: 200, sums: { [numerator!.id]: 90, [denominator!.id]: 100 } },
      { day: '2022-03-02', events: 40, sums: { [denominator!.id]: 20 } },
      { day: '2022-03-15', events: 60, sums: { [numerator!.id]: 20, [denominator!.id]: 30 } },
    ]);
    expect(explanation.derivation!.days.every((day) => day.latestReceivedAt !== null)).toBe(true);
    expect(explanation.coverage).toEqual({
      feed: 'call-handling',
      months: [{ month: '2022-03', hasData: true, events: 300 }],
    });
  });

  it('a count: the numerator rows add up to the published count', async () => {
    const explanation = await explain('stopsearch.count');
    expect(explanation.published).toEqual({ value: 50, numerator: 50, denominator: null, flags: [] });
    const numerators = readsOf(explanation, 'numerator');
    expect(numerators.map((read) => read.metric)).toEqual([METRIC.searches]);
    expect(rowsSum(numerators)).toBe(explanation.published.value);
    expect(numerators[0]!.rows.map((row) => [row.day, row.value])).toEqual([
      ['2022-03-03', 30],
      ['2022-03-20', 20],
    ]);
    const granted = await explain('dvpo.granted');
    expect(granted.published.value).toBe(7);
    expect(readsOf(granted, 'numerator')).toMatchObject([
      { method: 'get', metric: METRIC.dvpoDecided, dims: ['granted'], value: 7 },
    ]);
    expect(rowsSum(readsOf(granted, 'numerator'))).toBe(7);
  });

  it('a rate per 1,000: Σ numerator rows ÷ the population in the explanation × 1,000', async () => {
    const explanation = await explain('stopsearch.rate_per_1000');
    const population = explanation.derivation!.population!;
    expect(population).toMatchObject({ vintage: explanation.snapshot.populationVintage, role: ['denominator'] });
    expect(population.residents).toBe(explanation.published.denominator);
    expect(explanation.published.value).not.toBeNull();
    expect((rowsSum(readsOf(explanation, 'numerator')) / population.residents) * 1_000).toBe(
      explanation.published.value,
    );
  });

  it('a median from bins: the bin counts in the rows give the published median through the measures package', async () => {
    const explanation = await explain('calls.999.median_answer_seconds');
    const binsRead = explanation.derivation!.reads.find((read) => read.metric === METRIC.calls999AnswerTimeBins)!;
    expect(binsRead).toMatchObject({ method: 'dims', dims: 'all', value: 150 });
    const counts = new Map<string, number>();
    for (const row of binsRead.rows) counts.set(row.dim, (counts.get(row.dim) ?? 0) + row.value);
    expect(Object.fromEntries(counts)).toEqual({ '3': 30, '4': 20, '5': 40, '8': 20, '12': 10, '30': 10, '40': 20 });
    const bins = [...counts].map(([lower, count]) => ({
      lower: Number(lower),
      upper: timeBinUpper(Number(lower)),
      count,
    }));
    expect(groupedQuantile(bins, 0.5)).toBe(explanation.published.value);
    expect(explanation.published.value).toBe(5.625);
    // The bins add up to the calls answered too, so both reads are marked as the denominator.
    expect(readsOf(explanation, 'denominator').map((read) => [read.metric, read.value])).toEqual([
      [METRIC.calls999Answered, 150],
      [METRIC.calls999AnswerTimeBins, 150],
    ]);
  });
});

describe('every entry of the snapshot', () => {
  it('is explained with reads whose rows add up to what the definition read, and recomputes to the published figures', async () => {
    const document = (
      await test.db.selectFrom('snapshots').select('document').where('snapshot_id', '=', R2).executeTakeFirstOrThrow()
    ).document as {
      measures: {
        measureId: string;
        period: { id: string };
        breakdown: Record<string, string> | null;
        suppressed?: string;
      }[];
    };
    const mismatches: string[] = [];
    let explained = 0;
    let asAtRows = 0;
    for (const entry of document.measures) {
      const explanation = await explainEntry(test.db, {
        snapshotId: R2,
        measureId: entry.measureId,
        periodId: entry.period.id,
        breakdown: entry.breakdown,
      });
      const name = `${entry.measureId} ${entry.period.id} ${JSON.stringify(entry.breakdown)}`;
      if (entry.suppressed) {
        if (explanation.derivation !== null) mismatches.push(`${name}: suppressed but derived`);
        continue;
      }
      explained++;
      if (!explanation.derivation!.matchesPublished) mismatches.push(`${name}: does not match`);
      for (const read of explanation.derivation!.reads) {
        if (read.rowsSum !== read.value)
          mismatches.push(`${name}: read #${read.id} ${read.metric} rows ${read.rowsSum} ≠ ${read.value}`);
        if (read.from === null) asAtRows += read.rows.length;
      }
    }
    expect(mismatches).toEqual([]);
    expect(explained).toBeGreaterThan(100);
    // The stocks of circulations are read from all history: rows of August 2021 and March 2022.
    expect(asAtRows).toBeGreaterThan(0);
    const open = await explain('wanted.open', R2, 'as-at');
    expect(open.published).toMatchObject({ value: 11 });
    expect(open.derivation!.reads).toMatchObject([
      { input: 'period', from: null, method: 'total', metric: METRIC.wantedOpen, value: 11, role: ['numerator'] },
    ]);
    expect(open.derivation!.reads[0]!.rows.map((row) => [row.day, row.value])).toEqual([
      ['2021-08-02', 6],
      ['2022-03-10', 5],
    ]);
  });
});

describe('a revision', () => {
  it('gives the difference from the revision before and the events that arrived in between, by id and type', async () => {
    const explanation = await explain('calls.999.answered_within_10s');
    expect(explanation.revision).toMatchObject({
      previous: { snapshotId: R1, revision: 1, publishedAt: expect.any(String) },
      before: { value: (110 / 130) * 100, numerator: 110, denominator: 130, flags: [] },
      differences: [
        {
          field: 'value',
          before: (110 / 130) * 100,
          after: (110 / 150) * 100,
          change: (110 / 150) * 100 - (110 / 130) * 100,
        },
        { field: 'denominator', before: 130, after: 150, change: 20 },
      ],
    });
    const arrived = explanation.revision!.eventsArrived!;
    expect(arrived.total).toBe(40);
    expect(arrived.receivedUntil).toBe(explanation.snapshot.publishedAt);
    expect(new Set(arrived.events.map((event) => event.eventId))).toEqual(
      new Set(Array.from({ length: 20 }, (_, i) => [`late-${i}-p`, `late-${i}-a`]).flat()),
    );
    expect(arrived.events.every((event) => Object.keys(event).sort().join() === 'eventId,type')).toBe(true);
    expect(explanation.sincePublication).toMatchObject({ total: 0, events: [] });
    // Only the call-handling feed's events count for a call-handling measure.
    expect((await explain('stopsearch.count')).revision).toMatchObject({
      differences: [],
      eventsArrived: { total: 0 },
    });
  });

  it('says when the data changed after a revision was published: r1 no longer matches, and the late events are listed', async () => {
    const explanation = await explain('calls.999.answered_within_10s', R1);
    expect(explanation.revision).toBeNull();
    expect(explanation.published).toMatchObject({ numerator: 110, denominator: 130 });
    expect(explanation.derivation).toMatchObject({
      matchesPublished: false,
      recomputed: { numerator: 110, denominator: 150 },
    });
    expect(explanation.sincePublication!.total).toBe(40);
  });
});

describe('a suppressed entry', () => {
  it('is explained as suppressed, with no count, row or event of it', async () => {
    const explanation = await explain('dvpn.authorised');
    expect(explanation.published).toEqual({ value: null, numerator: null, denominator: null, flags: ['[c]'] });
    expect(explanation.suppressed).toEqual({ flag: '[c]', reason: expect.stringContaining('from 1 to 4') });
    expect(explanation.derivation).toBeNull();
    expect(explanation.sincePublication).toBeNull();
    expect(explanation.coverage).toEqual({ feed: 'dvpo', months: [{ month: '2022-03', hasData: true }] });
    expect(explanation.revision).toMatchObject({ differences: [], eventsArrived: null });
    const text = JSON.stringify(explanation);
    expect(text).not.toMatch(/dvpn-secret|SUBJECT|psn_/);
    expect(text).not.toMatch(/"(events|rows|value|numerator|denominator|total)":[1-9]/);
  });
});

describe('unknown inputs', () => {
  it('an unknown snapshot is not found', async () => {
    await expect(explain('stopsearch.count', `${FORCE}_2022-03-30_r1`)).rejects.toThrow(ExplainNotFoundError);
  });

  it('an unknown measure, period or breakdown names the valid choices', async () => {
    const measure = await explain('calls.999.nonsense').catch((error: unknown) => error);
    expect(measure).toBeInstanceOf(ExplainInputError);
    expect(measure).toMatchObject({
      parameter: 'measureId',
      choices: expect.arrayContaining(['calls.999.answered_within_10s', 'stopsearch.count']),
    });
    const period = await explain('stopsearch.count', R2, 'as-at').catch((error: unknown) => error);
    expect(period).toMatchObject({ parameter: 'period', choices: ['month', 'rolling-12m', 'financial-year'] });
    const breakdown = await explainEntry(test.db, {
      snapshotId: R2,
      measureId: 'stopsearch.count',
      breakdown: { grade: 'emergency' },
    }).catch((error: unknown) => error);
    expect(breakdown).toMatchObject({
      parameter: 'breakdown',
      given: 'grade=emergency',
      choices: ['(none: the headline)'],
    });
    expect((breakdown as Error).message).toBe(
      'breakdown: "grade=emergency" is not in the snapshot; valid: (none: the headline)',
    );
  });
});
