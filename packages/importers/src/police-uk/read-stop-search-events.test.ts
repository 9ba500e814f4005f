import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type StopSearchEvent, StopSearchRecorded } from '@rollcall/contract';
import { createCalendar } from '@rollcall/calendar';
import { describe, expect, it } from 'vitest';
import { ethnicGroupOf } from '@rollcall/contract';
import { normaliseOutcome } from '@rollcall/contract';
import { parsePoliceUkFileName } from './police-uk-file-name.ts';
import { collect } from '../../test/police-uk-fixture.ts';
import { readStopSearchEvents } from './read-stop-search-events.ts';
import type { StopSearchEventOfRow } from './to-stop-search-event.ts';

/* eslint-disable max-len -- the Python script below is quoted verbatim, so it can be run again as it stands */
/*
 * Expected counts below come from an independent count of the files with Python's csv module and
 * explicit lookup tables (exact strings, not the prefixes used by ethnicGroupOf), run once from
 * packages/police-uk/fixtures:
 *
 * python3 - 2019-01-avon-and-somerset-stop-and-search.csv 2024-01-avon-and-somerset-stop-and-search.csv <<'PY'
 * import csv, collections, sys
 * SELF = {'White - English/Welsh/Scottish/Northern Irish/British':'white', 'White - Any other White background':'white',
 *  'White - Irish':'white', 'Black/African/Caribbean/Black British - African':'black',
 *  'Black/African/Caribbean/Black British - Caribbean':'black',
 *  'Black/African/Caribbean/Black British - Any other Black/African/Caribbean background':'black',
 *  'Mixed/Multiple ethnic groups - White and Black Caribbean':'mixed', 'Mixed/Multiple ethnic groups - White and Black African':'mixed',
 *  'Mixed/Multiple ethnic groups - White and Asian':'mixed',
 *  'Mixed/Multiple ethnic groups - Any other Mixed/Multiple ethnic background':'mixed',
 *  'Asian/Asian British - Any other Asian background':'asian', 'Asian/Asian British - Pakistani':'asian',
 *  'Asian/Asian British - Indian':'asian', 'Asian/Asian British - Chinese':'asian', 'Asian/Asian British - Bangladeshi':'asian',
 *  'Other ethnic group - Any other ethnic group':'other', 'Other ethnic group - Not stated':None, '':None}
 * OFFICER = {'White':'white', 'Black':'black', 'Asian':'asian', 'Mixed':'mixed', 'Other':'other', '':'not-recorded'}
 * OUT = {'Arrest':'arrest', 'A no further action disposal':'no-further-action', 'Community resolution':'community-resolution',
 *  'Khat or Cannabis warning':'drugs-warning', 'Summons / charged by post':'summons',
 *  'Caution (simple or conditional)':'caution', '':'not-recorded'}
 * for f in sys.argv[1:]:
 *     rows = list(csv.DictReader(open(f, newline='')))
 *     print(f, len(rows))
 *     print(' month', dict(collections.Counter(r['Date'][:7] for r in rows)))
 *     print(' group', dict(sorted(collections.Counter(SELF[r['Self-defined ethnicity']] or OFFICER[r['Officer-defined ethnicity']] for r in rows).items())))
 *     print(' outcome', dict(sorted(collections.Counter(OUT[r['Outcome']] for r in rows).items())))
 *     print(' type', dict(sorted(collections.Counter(r['Type'] for r in rows).items())))
 *     print(' midnight', sum(r['Date'][11:19] == '00:00:00' for r in rows),
 *           'identical-row extras', sum(v - 1 for v in collections.Counter(tuple(r.values()) for r in rows).values()))
 * PY
 *
 * (A KeyError would have meant a string missing from the tables; there was none. Both files are
 * January, so the London month is the written month.)
 */
const EXPECTED = {
  '2019-01-avon-and-somerset-stop-and-search.csv': {
    rows: 519,
    byMonth: { '2019-01': 519 },
    byGroup: { asian: 14, black: 64, mixed: 22, 'not-recorded': 55, other: 7, white: 357 },
    byOutcome: {
      arrest: 80,
      caution: 3,
      'community-resolution': 33,
      'drugs-warning': 15,
      'no-further-action': 328,
      'not-recorded': 52,
      summons: 8,
    },
    byType: { 'Person and Vehicle search': 137, 'Person search': 374, 'Vehicle search': 8 },
    midnight: 27,
    identicalRowExtras: 34,
  },
  '2024-01-avon-and-somerset-stop-and-search.csv': {
    rows: 507,
    byMonth: { '2024-01': 507 },
    byGroup: { asian: 23, black: 49, mixed: 34, 'not-recorded': 40, other: 8, white: 353 },
    byOutcome: {
      arrest: 125,
      caution: 2,
      'community-resolution': 26,
      'drugs-warning': 9,
      'no-further-action': 316,
      'not-recorded': 20,
      summons: 9,
    },
    byType: { 'Person and Vehicle search': 95, 'Person search': 399, 'Vehicle search': 13 },
    midnight: 13,
    identicalRowExtras: 33,
  },
} as const;

const london = createCalendar('Europe/London');
const fixturePath = (name: string) => fileURLToPath(new URL(`../../data/police-uk/${name}`, import.meta.url));
const countBy = <T>(items: readonly T[], key: (item: T) => string): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
};
const sorted = (counts: Record<string, number>) =>
  Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));

async function importFile(name: string) {
  const parsed = parsePoliceUkFileName(name);
  if (!parsed.ok) throw new Error(parsed.error);
  const items = await collect(
    readStopSearchEvents(createReadStream(fixturePath(name), { highWaterMark: 4096 }), parsed.source),
  );
  const events = items.filter((item): item is StopSearchEventOfRow => item.kind === 'event');
  return { items, events, source: parsed.source };
}

describe.each(Object.entries(EXPECTED))('the real file %s', (name, expected) => {
  it('maps every row to a valid event, none rejected, in file order', async () => {
    const { items, events } = await importFile(name);
    expect(items.filter((item) => item.kind === 'rejection')).toEqual([]);
    expect(events).toHaveLength(expected.rows);
    expect(events.map((item) => item.position)).toEqual(Array.from({ length: expected.rows }, (_, i) => i + 1));
    expect(events.map((item) => item.line)).toEqual(Array.from({ length: expected.rows }, (_, i) => i + 2));
    for (const { event } of events) expect(StopSearchRecorded.safeParse(event).error).toBeUndefined();
    expect(events.flatMap((item) => item.unrecognised)).toEqual([]);
  });

  it('counts by London month, ethnic group, outcome and search type as the independent count does', async () => {
    const { events } = await importFile(name);
    const recorded = events.map((item) => item.event);
    const payloadOf = (event: StopSearchEvent) => event.payload as StopSearchRecorded['payload'];
    expect(sorted(countBy(recorded, (event) => london.dayOf(Date.parse(event.occurredAt)).slice(0, 7)))).toEqual(
      expected.byMonth,
    );
    expect(
      sorted(
        countBy(
          recorded,
          (event) =>
            ethnicGroupOf(payloadOf(event).selfDefinedEthnicity, payloadOf(event).officerDefinedEthnicity).group,
        ),
      ),
    ).toEqual(expected.byGroup);
    expect(sorted(countBy(recorded, (event) => normaliseOutcome(payloadOf(event).outcome).outcome))).toEqual(
      expected.byOutcome,
    );
    expect(sorted(countBy(recorded, (event) => payloadOf(event).searchType))).toEqual(expected.byType);
    expect(recorded.filter((event) => payloadOf(event).timeIsPlaceholder === true)).toHaveLength(expected.midnight);
  });

  it('gives identical event ids when the same file is imported twice', async () => {
    const first = (await importFile(name)).events.map((item) => item.event.eventId);
    const second = (await importFile(name)).events.map((item) => item.event.eventId);
    expect(second).toEqual(first);
  });

  it('gives identical rows distinct ids: each is a person searched', async () => {
    const { events } = await importFile(name);
    const ids = events.map((item) => item.event.eventId);
    expect(new Set(ids).size).toBe(expected.rows);
    expect(new Set(events.map((item) => item.event.payload.recordId)).size).toBe(expected.rows);
    // The repeated rows share a content hash but not an id.
    const hashes = events.map((item) => item.contentHash);
    expect(hashes.length - new Set(hashes).size).toBe(expected.identicalRowExtras);
  });
});

describe('the real 2019-01 file, a row in detail', () => {
  it('maps line 4 as published, with the winter offset unchanged', async () => {
    const { events } = await importFile('2019-01-avon-and-somerset-stop-and-search.csv');
    // Person search,2019-01-01T00:30:00+00:00,,,51.350977,-2.979701,Male,over 34,
    // White - English/Welsh/Scottish/Northern Irish/British,White,Misuse of Drugs Act 1971 (section 23),
    // Controlled drugs,Arrest,True,False
    const row = events.find((item) => item.line === 4);
    expect(row?.event).toMatchObject({
      eventId: expect.stringMatching(/^pu-avon-and-somerset-2019-01-3-[0-9a-f]{16}$/),
      occurredAt: '2019-01-01T00:30:00+00:00',
      payload: {
        recordId: 'pu-avon-and-somerset-2019-01-3',
        searchType: 'Person search',
        latitude: 51.350977,
        longitude: -2.979701,
        ageRange: 'over 34',
        outcome: 'Arrest',
        outcomeLinkedToObject: true,
        removalOfMoreThanOuterClothing: false,
        timeIsPlaceholder: false,
      },
    });
  });
});
