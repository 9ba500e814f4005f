import type { LocalDate } from '@rollcall/calendar';
import type { FeedEvent, StopSearchRecorded } from '@rollcall/contract';
import { computeSnapshotMeasures, DEFAULT_TREND_THRESHOLDS } from '@rollcall/measures';
import { loadSnapshotInputs } from '@rollcall/publishing';
import { type PublishOutcome } from '@rollcall/publishing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  atLondon,
  DAY_MS,
  daysFrom,
  expectNothingRejected,
  feedEvent,
  HOUR_MS,
  londonDayOf,
  plusMs,
  seededRandom,
  shuffled,
  sometimeOn,
} from '../support/event-streams.ts';
import { measureOf, PipelineHarness } from '../support/pipeline-harness.ts';

/**
 * Reasonable grounds, as HMICFRS published them: "87.4% (± 4.8%) from a sample of 182 records in
 * 2021", "86.5% (± 4.3%) in 2019" and "21 of 24 for ethnic minority people". Each year is the
 * rolling 12 months published at 31 December, with stop-and-search records in every month: the
 * records themselves, with ethnicities and outcomes in every wording data.police.uk has used,
 * corrections, and dip-sample reviews of their grounds, counted on the day of the latest review
 * (a review in January of a December record counts in January; a record reviewed again counts
 * once, by its latest review). The same stream gives the other stop-search measures of 2021.
 */

const random = seededRandom(182);
type Group = 'white' | 'black' | 'asian' | 'mixed' | 'other' | 'not-recorded';

/** Ethnicity as recorded (self-defined, officer-defined) and the census group it means. */
const ETHNICITIES: readonly (readonly [self: string | null, officer: string | null, group: Group, weight: number])[] = [
  ['White - English/Welsh/Scottish/Northern Irish/British', 'White', 'white', 55],
  ['White - White British (W1)', 'White', 'white', 10],
  ['White - Roma', 'White', 'white', 3],
  ['Other ethnic group - Not stated', 'White', 'white', 5], // not stated: the officer's view counts
  ['Black/African/Caribbean/Black British - African', 'Black', 'black', 4],
  ['Black or Black British - Caribbean (B1)', 'Black', 'black', 2],
  [null, 'Black', 'black', 2],
  ['Asian/Asian British - Pakistani', 'Asian', 'asian', 3],
  ['Chinese or other ethnic group - Chinese (O1)', 'Other', 'asian', 1], // Asian, as the 2011 Census counts Chinese people
  ['Mixed/Multiple ethnic groups - White and Black Caribbean', 'Black', 'mixed', 3],
  ['Other ethnic group - Arab', 'Other', 'other', 1],
  ['Chinese or other ethnic group - Any other ethnic group (O9)', null, 'other', 1],
  ['Not Stated (NS)', null, 'not-recorded', 5],
  ['Klingon', null, 'not-recorded', 1], // unrecognised: not recorded, never White
  [null, null, 'not-recorded', 4],
];

/** Outcomes as written over the years, and the stable outcome they mean. */
const OUTCOMES: readonly (readonly [written: string | null, outcome: string, weight: number])[] = [
  ['A no further action disposal', 'no-further-action', 40],
  ['Nothing found - no further action', 'no-further-action', 20],
  ['Arrest', 'arrest', 10],
  ['Suspect arrested', 'arrest', 5],
  ['Community resolution', 'community-resolution', 5],
  ['Local resolution', 'community-resolution', 3],
  ['Khat or Cannabis warning', 'drugs-warning', 6],
  ['Penalty Notice for Disorder', 'penalty-notice', 3],
  ['Caution (simple or conditional)', 'caution', 2],
  ['Summons / charged by post', 'summons', 2],
  ['Article found - Detailed outcome unavailable', 'article-found', 2],
  [null, 'not-recorded', 1],
  ['Words of advice', 'other', 1],
];

/** The entries of a weighted table in a deterministic order with the table's proportions. */
const weighted = <T extends readonly unknown[]>(table: readonly T[]): T[] =>
  shuffled(
    table.flatMap((entry) => Array<T>(entry.at(-1) as number).fill(entry)),
    random,
  );

interface SearchRecord {
  readonly recordId: string;
  readonly recordedAt: string;
  readonly fields: StopSearchRecorded['payload'];
  readonly group: Group;
  readonly outcome: string;
  /** What was first recorded before a correction, if corrected. */
  readonly firstRecorded?: Partial<StopSearchRecorded['payload']>;
  readonly reviews: { at: string; reasonable: boolean }[];
}

const records: SearchRecord[] = [];

/** `perDay` searches on each day from `from` to `to`. */
function recordSearches(from: LocalDate, to: LocalDate, perDay: number): SearchRecord[] {
  const ethnicities = weighted(ETHNICITIES);
  const outcomes = weighted(OUTCOMES);
  const made: SearchRecord[] = [];
  for (const day of daysFrom(from, to)) {
    for (let k = 0; k < perDay; k++) {
      const i = records.length;
      const [self, officer, group] = ethnicities[i % ethnicities.length]!;
      const [written, outcome] = outcomes[(i * 7) % outcomes.length]!;
      const vehicle = self === null && officer === null;
      const fields: StopSearchRecorded['payload'] = {
        recordId: `ss-${i}`,
        searchType: vehicle ? 'Vehicle search' : i % 10 === 0 ? 'Person and Vehicle search' : 'Person search',
        legislation: 'Misuse of Drugs Act 1971 (section 23)',
        objectOfSearch: 'Controlled drugs',
        outcome: written,
        outcomeLinkedToObject: i % 5 === 0 ? null : outcome === 'arrest' || i % 4 === 0,
        gender: vehicle ? null : 'Male',
        ageRange: vehicle ? null : '18-24',
        selfDefinedEthnicity: self,
        officerDefinedEthnicity: officer,
        latitude: 51.45,
        longitude: -2.59,
        removalOfMoreThanOuterClothing: vehicle ? null : false,
      };
      // One record in 25 was first written with no outcome and no self-defined ethnicity, then corrected.
      const firstRecorded =
        i % 25 === 3 ? { outcome: null, selfDefinedEthnicity: null, officerDefinedEthnicity: null } : undefined;
      const record: SearchRecord = {
        recordId: fields.recordId,
        recordedAt: sometimeOn(random, day),
        fields,
        group,
        outcome,
        ...(firstRecorded && { firstRecorded }),
        reviews: [],
      };
      records.push(record);
      made.push(record);
    }
  }
  return made;
}

const isEthnicMinority = (group: Group) => group !== 'white' && group !== 'not-recorded';
const review = (record: SearchRecord, at: string, reasonable: boolean) => record.reviews.push({ at, reasonable });

// 2019: three searches a day, 244 reviews in the year, 211 with reasonable grounds recorded.
const searches2019 = recordSearches('2019-01-01', '2019-12-31', 3);
shuffled(
  searches2019.filter((r) => londonDayOf(r.recordedAt) <= '2019-11-30'),
  random,
)
  .slice(0, 244)
  .forEach((record, i) => review(record, plusMs(record.recordedAt, (3 + (i % 20)) * DAY_MS), i < 211));

// December 2020 to 2021: five searches a day.
const searches2021 = recordSearches('2020-12-01', '2021-12-31', 5);
{
  const pool = shuffled(searches2021, random);
  const minority = pool.filter(
    (r) =>
      isEthnicMinority(r.group) &&
      londonDayOf(r.recordedAt) >= '2021-01-01' &&
      londonDayOf(r.recordedAt) <= '2021-11-30',
  );
  const others = pool.filter((r) => !isEthnicMinority(r.group) && londonDayOf(r.recordedAt) <= '2021-11-30');
  const reviewedIn2021 = (record: SearchRecord) => plusMs(record.recordedAt, 10 * DAY_MS);
  // 24 ethnic-minority people, 21 with reasonable grounds; 158 others, 138 with; 10 of the others
  // searched in December 2020 and reviewed in January 2021.
  minority.slice(0, 24).forEach((record, i) => review(record, reviewedIn2021(record), i < 21));
  const december2020 = others.filter((r) => londonDayOf(r.recordedAt) < '2021-01-01').slice(0, 10);
  const others2021 = others.filter((r) => londonDayOf(r.recordedAt) >= '2021-01-01').slice(0, 148);
  december2020.forEach((record, i) => review(record, atLondon('2021-01-05', (10 + i) * HOUR_MS), i < 8));
  others2021.forEach((record, i) => review(record, reviewedIn2021(record), i < 130));
  // Five of them were reviewed twice: a first review, then the one that counts.
  others2021
    .slice(0, 5)
    .forEach((record) =>
      record.reviews.unshift({ at: plusMs(record.recordedAt, 2 * DAY_MS), reasonable: !record.reviews[0]!.reasonable }),
    );
  // Outside 2021: reviewed in December and again in January 2022; reviewed only in January 2022.
  const later = pool.filter(
    (r) =>
      r.reviews.length === 0 && londonDayOf(r.recordedAt) >= '2021-11-01' && londonDayOf(r.recordedAt) <= '2021-12-15',
  );
  later.slice(0, 6).forEach((record) => {
    review(record, atLondon('2021-12-20', 11 * HOUR_MS), false);
    review(record, atLondon('2022-01-04', 11 * HOUR_MS), true);
  });
  later.slice(6, 14).forEach((record) => review(record, atLondon('2022-01-10', 11 * HOUR_MS), true));
}

/** Grounds reviews counted in a year: records whose latest review is in it. */
function reviewsIn(from: LocalDate, to: LocalDate, which: (r: SearchRecord) => boolean = () => true) {
  const counted = records.filter(which).flatMap((r) => {
    const latest = r.reviews.at(-1);
    return latest && londonDayOf(latest.at) >= from && londonDayOf(latest.at) <= to ? [latest] : [];
  });
  return { reviewed: counted.length, reasonable: counted.filter((r) => r.reasonable).length };
}

const in2021 = (r: SearchRecord) =>
  londonDayOf(r.recordedAt) >= '2021-01-01' && londonDayOf(r.recordedAt) <= '2021-12-31';

function eventsOf(record: SearchRecord): FeedEvent[] {
  const recorded = { ...record.fields, ...record.firstRecorded };
  return [
    feedEvent('stop-search.recorded', `${record.recordId}-r`, record.recordedAt, recorded),
    ...(record.firstRecorded
      ? [
          feedEvent('stop-search.amended', `${record.recordId}-m`, plusMs(record.recordedAt, 2 * HOUR_MS), {
            recordId: record.recordId,
            outcome: record.fields.outcome,
            selfDefinedEthnicity: record.fields.selfDefinedEthnicity,
            officerDefinedEthnicity: record.fields.officerDefinedEthnicity,
          }),
        ]
      : []),
    ...record.reviews.map((r, i) =>
      feedEvent('stop-search.grounds-reviewed', `${record.recordId}-g${i}`, r.at, {
        recordId: record.recordId,
        reasonableGroundsRecorded: r.reasonable,
      }),
    ),
  ];
}

let harness: PipelineHarness;
let end2021: PublishOutcome;
let end2019: PublishOutcome;

beforeAll(async () => {
  harness = await PipelineHarness.start({ workerConcurrency: 4 });
  await harness.offerEvents(shuffled(records.flatMap(eventsOf), random));
  await harness.drain();
  await expectNothingRejected(harness);
  end2021 = await harness.publish('avon-and-somerset', '2021-12-31');
  end2019 = await harness.publish('avon-and-somerset', '2019-12-31');
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

describe('the records', () => {
  it('have the published answers', () => {
    expect(reviewsIn('2021-01-01', '2021-12-31')).toEqual({ reviewed: 182, reasonable: 159 });
    expect(reviewsIn('2021-01-01', '2021-12-31', (r) => isEthnicMinority(r.group))).toEqual({
      reviewed: 24,
      reasonable: 21,
    });
    expect(reviewsIn('2019-01-01', '2019-12-31')).toEqual({ reviewed: 244, reasonable: 211 });
  });
});

describe('reasonable grounds recorded', () => {
  it('publishes 87.4% (± 4.8) from a sample of 182 records in 2021', () => {
    const entry = measureOf(end2021, 'stopsearch.reasonable_grounds_rate', 'rolling-12m');
    expect(entry).toMatchObject({ numerator: 159, denominator: 182, flags: [], ci: { method: 'normal', level: 0.95 } });
    expect(entry.value).toBe((159 / 182) * 100);
    expect(entry.value!.toFixed(1)).toBe('87.4');
    expect(entry.ci!.halfWidth.toFixed(1)).toBe('4.8');
    expect(entry.ci!.lower.toFixed(1)).toBe('82.5');
    expect(entry.ci!.upper.toFixed(1)).toBe('92.2');
  });

  it('computes 21 of 24 for ethnic-minority people in 2021, with the Wilson interval of a small sample, and suppresses it: the 3 without grounds are a small count', async () => {
    const inputs = await loadSnapshotInputs(harness.db, 'avon-and-somerset', '2021-12-31');
    const computed = computeSnapshotMeasures(inputs.computation, {
      disclosure: harness.publishDeps.disclosure,
      trendThresholds: DEFAULT_TREND_THRESHOLDS,
    }).find(
      (m) =>
        m.measureId === 'stopsearch.reasonable_grounds_rate' &&
        m.period.id === 'rolling-12m' &&
        m.breakdown?.['group'] === 'ethnic-minority',
    );
    expect(computed).toMatchObject({ value: 87.5, numerator: 21, denominator: 24, flags: [] });
    // Wilson, as a small sample: 69.0% to 95.7% (the normal approximation would give 74.3% to 100%).
    expect([computed!.ci!.wilson!.lower.toFixed(1), computed!.ci!.wilson!.upper.toFixed(1)]).toEqual(['69.0', '95.7']);
    expect(
      measureOf(end2021, 'stopsearch.reasonable_grounds_rate', 'rolling-12m', { group: 'ethnic-minority' }),
    ).toMatchObject({
      value: null,
      numerator: null,
      denominator: null,
      flags: ['[c]'],
      suppressed: '[c]',
    });
  });

  it('publishes 86.5% (± 4.3) in 2019', () => {
    const entry = measureOf(end2019, 'stopsearch.reasonable_grounds_rate', 'rolling-12m');
    expect(entry).toMatchObject({ numerator: 211, denominator: 244, flags: [] });
    expect(entry.value).toBe((211 / 244) * 100);
    expect(entry.value!.toFixed(1)).toBe('86.5');
    expect(entry.ci!.halfWidth.toFixed(1)).toBe('4.3');
  });
});

describe('the other stop-search measures of 2021', () => {
  const searches = records.filter(in2021);
  const byGroup = (group: Group) => searches.filter((r) => r.group === group).length;
  const figure = (measureId: string) => measureOf(end2021, measureId, 'rolling-12m');

  it('counts the searches, and their rate per 1,000 residents', () => {
    expect(figure('stopsearch.count')).toMatchObject({ value: searches.length, flags: [] });
    expect(figure('stopsearch.rate_per_1000')).toMatchObject({
      numerator: searches.length,
      denominator: 1_599_555,
      value: (searches.length / 1_599_555) * 1_000,
    });
  });

  it('compares each group with White people, by self-defined ethnicity (officer-defined where not stated)', () => {
    const white = byGroup('white') / 1_491_970;
    const populations = { asian: 41_981, black: 30_923, mixed: 28_277, other: 6_404 } as const;
    for (const [group, population] of Object.entries(populations)) {
      const entry = figure(`stopsearch.disproportionality.${group}`);
      expect(entry.value, group).toBeCloseTo(byGroup(group as Group) / population / white, 10);
    }
    const minority = (['asian', 'black', 'mixed', 'other'] as const).reduce((sum, g) => sum + byGroup(g), 0);
    expect(figure('stopsearch.disproportionality.other_than_white').value).toBeCloseTo(minority / 107_585 / white, 10);
  });

  it('publishes the share with a usable ethnicity, an unrecognised one counting as not recorded', () => {
    expect(figure('stopsearch.ethnicity_recorded_rate')).toMatchObject({
      numerator: searches.length - byGroup('not-recorded'),
      denominator: searches.length,
    });
  });

  it('publishes a share per outcome, in both wordings, adding up to all searches', () => {
    const outcomes = end2021.document.measures.filter(
      (m) => m.measureId.startsWith('stopsearch.outcome_rate.') && m.period.id === 'rolling-12m',
    );
    expect(outcomes).toHaveLength(10);
    expect(outcomes.reduce((sum, m) => sum + m.numerator!, 0)).toBe(searches.length);
    expect(figure('stopsearch.outcome_rate.arrest')).toMatchObject({
      numerator: searches.filter((r) => r.outcome === 'arrest').length,
    });
    expect(figure('stopsearch.outcome_rate.other')).toMatchObject({
      numerator: searches.filter((r) => r.outcome === 'other').length,
    });
    expect(figure('stopsearch.find_rate')).toMatchObject({
      numerator: searches.filter((r) => r.fields.outcomeLinkedToObject === true).length,
      denominator: searches.length,
    });
  });
});
