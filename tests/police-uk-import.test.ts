import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Writable } from 'node:stream';
import { readDailyAggregates } from '@rollcall/db';
import { TEST_PSEUDONYM_KEY } from '@rollcall/testing';
import { loadReferenceData } from '@rollcall/reference';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policeUkSampleFile } from '@rollcall/importers';
import { csvOf, type RowValues } from '@rollcall/importers/fixtures';
import { runCli } from '@rollcall/cli';
import { measureOf, PipelineHarness } from './support/pipeline-harness.ts';

const FILE = policeUkSampleFile('2024-01');
let harness: PipelineHarness;
let dir: string;

beforeAll(async () => {
  harness = await PipelineHarness.start();
  dir = await mkdtemp(join(tmpdir(), 'rollcall-police-uk-e2e-'));
});
afterAll(async () => {
  await harness.close();
  await rm(dir, { recursive: true, force: true });
});

async function rollcall(...args: string[]) {
  let stdout = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      stdout += chunk.toString();
      done();
    },
  });
  const env = {
    ...harness.serviceEnv(),
    PSEUDONYM_KEY: TEST_PSEUDONYM_KEY,
    LOG_LEVEL: 'silent',
  };
  const code = await runCli(args, { stdout: sink, stderr: sink, env });
  return { code, stdout };
}

describe('a real data.police.uk file through rollcall ingest, the workers and a snapshot', () => {
  it('imports January 2024 for Avon and Somerset and computes disproportionality with the 2011 Census', async () => {
    const imported = await rollcall('ingest', '--feed', 'stop-search', '--format', 'police-uk-csv', FILE);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('507');
    await harness.drain();
    const snapshot = await harness.publish('avon-and-somerset', '2024-01-31');

    // Searches by group counted independently of this code (python3 csv module, self-defined
    // ethnicity by prefix, officer-defined when not stated): see packages/police-uk's tests.
    const searches = { asian: 23, black: 49, mixed: 34, other: 8, white: 353 };
    const census = loadReferenceData().populations.find((p) => p.forceId === 'avon-and-somerset')!;
    expect(census.groups).toEqual({ asian: 41_981, black: 30_923, mixed: 28_277, other: 6_404, white: 1_491_970 });
    const whiteRate = (searches.white / census.groups.white) * 1000;
    for (const group of ['asian', 'black', 'mixed', 'other'] as const) {
      const entry = measureOf(snapshot, `stopsearch.disproportionality.${group}`, 'month');
      expect(entry.value).toBeCloseTo(((searches[group] / census.groups[group]) * 1000) / whiteRate, 10);
    }
    const minority = searches.asian + searches.black + searches.mixed + searches.other;
    const minorityPopulation = census.groups.asian + census.groups.black + census.groups.mixed + census.groups.other;
    expect(measureOf(snapshot, 'stopsearch.disproportionality.other_than_white', 'month').value).toBeCloseTo(
      ((minority / minorityPopulation) * 1000) / whiteRate,
      10,
    );
    expect(measureOf(snapshot, 'stopsearch.count', 'month')).toMatchObject({ value: 507 });
    expect(measureOf(snapshot, 'stopsearch.rate_per_1000', 'month').value).toBeCloseTo(
      (507 / census.residents) * 1000,
      10,
    );

    // Importing the same file again changes nothing.
    const again = await rollcall('ingest', '--feed', 'stop-search', '--format', 'police-uk-csv', FILE);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/unchanged/i);
    await harness.drain();
    expect((await harness.publish('avon-and-somerset', '2024-01-31')).created).toBe(false);
  });
});

describe('a re-supplied month through rollcall ingest and the workers: every search on its own day', () => {
  const FORCE = 'avon-and-somerset';
  const NOVEMBER = '2023-11';
  // One search a row; November 2023 is all GMT, so the file's times are the London days.
  const search = (day: string, ethnicity: string): RowValues => ({
    Date: `${NOVEMBER}-${day}T14:05:00+00:00`,
    'Self-defined ethnicity': ethnicity,
  });
  const OTHER = search('01', 'Other ethnic group - Any other ethnic group');
  const BLACK = search('05', 'Black/African/Caribbean/Black British - African');
  const WHITE = search('10', 'White - English/Welsh/Scottish/Northern Irish/British');
  const ASIAN = search('20', 'Asian/Asian British - Indian');
  const MIXED = search('03', 'Mixed/Multiple ethnic groups - White and Black Caribbean');
  let edition = 0;

  /**
   * Writes `rows` as the month's file (a new folder each time: same name), imports it, drains; the report after its
   * first line.
   */
  async function importEdition(rows: readonly RowValues[]) {
    edition += 1;
    const path = join(await mkdtemp(join(dir, `edition-${edition}-`)), `${NOVEMBER}-${FORCE}-stop-and-search.csv`);
    await writeFile(path, csvOf(rows));
    const result = await rollcall('ingest', '--feed', 'stop-search', '--format', 'police-uk-csv', path);
    expect(result.code).toBe(0);
    await harness.drain();
    return result.stdout.trimEnd().split('\n').slice(1);
  }

  /** `stopsearch.by_ethnic_group` of the month as `{ 'DD group': n }`: where each search counts. */
  async function searchesByDayAndGroup(): Promise<Record<string, number>> {
    const rows = await readDailyAggregates(harness.db, {
      from: `${NOVEMBER}-01`,
      to: `${NOVEMBER}-30`,
      forceIds: [FORCE],
    });
    return Object.fromEntries(
      rows
        .filter((row) => row.metric === 'stopsearch.by_ethnic_group' && row.value !== 0)
        .map((row) => [`${row.day.slice(8)} ${row.dim}`, row.value] as const)
        .sort(([a], [b]) => a.localeCompare(b)),
    );
  }

  const staleAsOf = async () =>
    (
      await harness.db
        .selectFrom('snapshot_heads')
        .select(['as_of', 'stale_since'])
        .where('force_id', '=', FORCE)
        .where('as_of', '>=', `${NOVEMBER}-01`)
        .where('as_of', '<=', `${NOVEMBER}-30`)
        .execute()
    )
      .filter((head) => head.stale_since !== null)
      .map((head) => String(head.as_of))
      .sort();

  it('counts a row inserted mid-file on its own day and moves no other search', async () => {
    await importEdition([OTHER, BLACK, WHITE, ASIAN]);
    expect(await searchesByDayAndGroup()).toEqual({ '01 other': 1, '05 black': 1, '10 white': 1, '20 asian': 1 });
    await harness.publish(FORCE, `${NOVEMBER}-02`);
    await harness.publish(FORCE, `${NOVEMBER}-10`);

    expect(await importEdition([OTHER, MIXED, BLACK, WHITE, ASIAN])).toEqual([
      'revision 2 of this month (was 1): 0 rows changed, 1 added, 0 removed; queued 1 stop-search.recorded event in 1 job',
      'added positions 2: each is a new record',
    ]);
    expect(await searchesByDayAndGroup()).toEqual({
      '01 other': 1,
      '03 mixed': 1,
      '05 black': 1,
      '10 white': 1,
      '20 asian': 1,
    });
    // The new search is on the 3rd: the snapshot as of the 10th is revised, the one of the 2nd not.
    expect((await staleAsOf()).map((day) => day.slice(0, 10))).toEqual([`${NOVEMBER}-10`]);
  });

  it('changes nothing when the same rows come in another order', async () => {
    expect((await importEdition([ASIAN, WHITE, BLACK, MIXED, OTHER]))[0]).toMatch(
      /^unchanged: the same rows as revision 2 \(the file bytes differ.*; nothing queued$/,
    );
    expect(await searchesByDayAndGroup()).toEqual({
      '01 other': 1,
      '03 mixed': 1,
      '05 black': 1,
      '10 white': 1,
      '20 asian': 1,
    });
  });

  it('stops counting a row the new edition lacks', async () => {
    expect((await importEdition([OTHER, MIXED, BLACK, ASIAN]))[0]).toBe(
      'revision 3 of this month (was 2): 0 rows changed, 0 added, 1 removed; queued 1 withdrawal in 1 job',
    );
    expect(await searchesByDayAndGroup()).toEqual({ '01 other': 1, '03 mixed': 1, '05 black': 1, '20 asian': 1 });
  });

  it('moves a search whose date was corrected to its new day, and revises the snapshots it changes', async () => {
    await harness.reviseStale();
    await harness.publish(FORCE, `${NOVEMBER}-08`);
    expect(await staleAsOf()).toEqual([]);
    expect(await importEdition([OTHER, MIXED, BLACK, { ...ASIAN, Date: `${NOVEMBER}-07T14:05:00+00:00` }])).toEqual([
      'revision 4 of this month (was 3): 1 row changed, 0 added, 0 removed; queued 1 stop-search.amended event in 1 job',
      "changed positions 4: each is sent as a stop-search.amended of the record of the row it replaced, with the row's time",
    ]);
    expect(await searchesByDayAndGroup()).toEqual({ '01 other': 1, '03 mixed': 1, '05 black': 1, '07 asian': 1 });
    // Marked from the earliest of the days the search left (the 20th) and joined (the 7th) and the
    // amendment's own day (the 1st: editions are dated at the month's start): all three.
    expect((await staleAsOf()).map((day) => day.slice(0, 10))).toEqual([
      `${NOVEMBER}-02`,
      `${NOVEMBER}-08`,
      `${NOVEMBER}-10`,
    ]);
  });

  it('counts identical rows as distinct searches, and removes one copy of several', async () => {
    const corrected = { ...ASIAN, Date: `${NOVEMBER}-07T14:05:00+00:00` };
    expect((await importEdition([OTHER, MIXED, BLACK, BLACK, corrected, BLACK]))[0]).toBe(
      'revision 5 of this month (was 4): 0 rows changed, 2 added, 0 removed; queued 2 stop-search.recorded events in 1 job',
    );
    expect(await searchesByDayAndGroup()).toEqual({ '01 other': 1, '03 mixed': 1, '05 black': 3, '07 asian': 1 });
    expect((await importEdition([OTHER, MIXED, BLACK, corrected, BLACK]))[0]).toBe(
      'revision 6 of this month (was 5): 0 rows changed, 0 added, 1 removed; queued 1 withdrawal in 1 job',
    );
    expect(await searchesByDayAndGroup()).toEqual({ '01 other': 1, '03 mixed': 1, '05 black': 2, '07 asian': 1 });
  });
});
