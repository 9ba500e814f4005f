import type { StopSearchEvent, StopSearchGroundsReviewed, StopSearchRecorded } from '@rollcall/contract';
import type { Random } from './random.ts';
import type { SimulationClock } from './simulation-clock.ts';

/**
 * Self-defined ethnicity as data.police.uk records it, weighted roughly like Avon and Somerset's
 * published searches (about a fifth not stated, where the officer's view is used).
 */
const SELF_DEFINED: readonly (readonly [string | null, number])[] = [
  ['White - English/Welsh/Scottish/Northern Irish/British', 54],
  ['White - Any other White background', 4],
  ['Black/African/Caribbean/Black British - African', 3],
  ['Black/African/Caribbean/Black British - Caribbean', 2],
  ['Black/African/Caribbean/Black British - Any other Black/African/Caribbean background', 3],
  ['Mixed/Multiple ethnic groups - White and Black Caribbean', 2],
  ['Mixed/Multiple ethnic groups - Any other Mixed/Multiple ethnic background', 1],
  ['Asian/Asian British - Pakistani', 1],
  ['Asian/Asian British - Any other Asian background', 1.5],
  ['Other ethnic group - Any other ethnic group', 1],
  ['Other ethnic group - Not stated', 18],
  [null, 9],
];
const OFFICER_DEFINED: readonly (readonly [string | null, number])[] = [
  ['White', 72],
  ['Black', 10],
  ['Mixed', 5],
  ['Asian', 4],
  ['Other', 2],
  [null, 7],
];
const OUTCOMES: readonly (readonly [string, number])[] = [
  ['A no further action disposal', 63],
  ['Arrest', 21],
  ['Community resolution', 6],
  ['Khat or Cannabis warning', 3],
  ['Summons / charged by post', 2],
  ['Caution (simple or conditional)', 1],
];
const OBJECTS: readonly (readonly [string, string, number])[] = [
  ['Misuse of Drugs Act 1971 (section 23)', 'Controlled drugs', 60],
  ['Police and Criminal Evidence Act 1984 (section 1)', 'Offensive weapons', 18],
  ['Police and Criminal Evidence Act 1984 (section 1)', 'Stolen goods', 12],
  ['Police and Criminal Evidence Act 1984 (section 1)', 'Article for use in theft', 7],
  ['Criminal Justice and Public Order Act 1994 (section 60)', 'Offensive weapons', 3],
];

export interface StopSearchVolumes {
  readonly searchesPerMonth: number;
  /** Share of searches whose recorded grounds are dip-sampled for review. */
  readonly reviewShare: number;
}

/** Stop-and-search records like data.police.uk's, a few corrected later, some grounds reviewed. */
export function simulateStopSearch(
  forceId: string,
  clock: SimulationClock,
  random: Random,
  volumes: StopSearchVolumes,
): StopSearchEvent[] {
  const events: StopSearchEvent[] = [];
  const span = clock.monthEnd - clock.monthStart;
  const envelope = <T extends StopSearchEvent['type']>(type: T, eventId: string, at: number) => ({
    eventId,
    feed: 'stop-search' as const,
    type,
    forceId,
    occurredAt: clock.iso(at),
    schemaVersion: 1 as const,
  });
  for (let i = 0; i < volumes.searchesPerMonth; i++) {
    const recordId = `${forceId.slice(0, 3)}-ss-${clock.month}-${i}`;
    const at = clock.monthStart + random.next() * span;
    const searchType = random.weighted([
      ['Person search', 76],
      ['Person and Vehicle search', 21],
      ['Vehicle search', 3],
    ] as const);
    const vehicleOnly = searchType === 'Vehicle search';
    const [legislation, objectOfSearch] = random.weighted(OBJECTS.map(([l, o, w]) => [[l, o] as const, w] as const));
    const outcome = random.weighted(OUTCOMES);
    events.push({
      ...envelope('stop-search.recorded', `${recordId}-r`, at),
      payload: {
        recordId,
        searchType,
        legislation,
        objectOfSearch,
        outcome,
        outcomeLinkedToObject: outcome === 'A no further action disposal' ? null : random.chance(0.8),
        gender: vehicleOnly
          ? null
          : random.weighted([
              ['Male', 88],
              ['Female', 11],
              [null, 1],
            ] as const),
        ageRange: vehicleOnly
          ? null
          : random.weighted([
              ['10-17', 20],
              ['18-24', 33],
              ['25-34', 25],
              ['over 34', 21],
              [null, 1],
            ] as const),
        selfDefinedEthnicity: vehicleOnly ? null : random.weighted(SELF_DEFINED),
        officerDefinedEthnicity: vehicleOnly ? null : random.weighted(OFFICER_DEFINED),
        latitude: null,
        longitude: null,
        removalOfMoreThanOuterClothing: random.chance(0.06),
      },
    });
    if (random.chance(0.01)) {
      events.push({
        ...envelope('stop-search.amended', `${recordId}-m`, at + 3 * 86_400_000),
        payload: { recordId, outcome: 'Arrest', outcomeLinkedToObject: true },
      });
    }
    if (random.chance(volumes.reviewShare)) events.push(groundsReviewOf(forceId, recordId, at, clock, random));
  }
  return events.filter((event) => Date.parse(event.occurredAt) < clock.monthEnd);
}

/**
 * A dip-sample review of one search's recorded grounds, ten days after it or just before the
 * month ends, whichever is sooner (so it counts in the month); 87% find reasonable grounds
 * recorded, as HMICFRS found for Avon and Somerset in 2021 (measures.md).
 */
function groundsReviewOf(
  forceId: string,
  recordId: string,
  searchedAt: number,
  clock: SimulationClock,
  random: Random,
): StopSearchGroundsReviewed {
  return {
    eventId: `${recordId}-g`,
    feed: 'stop-search',
    type: 'stop-search.grounds-reviewed',
    forceId,
    occurredAt: clock.iso(Math.min(searchedAt + 10 * 86_400_000, clock.monthEnd - 60_000)),
    schemaVersion: 1,
    payload: { recordId, reasonableGroundsRecorded: random.chance(0.87) },
  };
}

/** Grounds reviews of `reviewShare` of searches recorded elsewhere (a real file carries none). */
export function reviewGrounds(
  recorded: readonly StopSearchRecorded[],
  clock: SimulationClock,
  random: Random,
  reviewShare: number,
): StopSearchGroundsReviewed[] {
  return recorded
    .filter(() => random.chance(reviewShare))
    .map((search) =>
      groundsReviewOf(search.forceId, search.payload.recordId, Date.parse(search.occurredAt), clock, random),
    );
}
