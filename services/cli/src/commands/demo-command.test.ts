import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '@rollcall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedIo } from '../captured-io.ts';
import { demoCommand } from './demo-command.ts';

let database: TestDatabase;
let redis: TestRedis;
let dir: string;
let stdout: string;

/**
 * The demo at 1% of real volume (the real stop-search file is whole), on this file's own
 * database, queue prefix and folder: a developer's `pnpm demo` (rollcall_demo, rollcall-demo,
 * var/demo) is never touched. One run, read by every test below.
 */
beforeAll(async () => {
  database = await createTestDatabase();
  redis = createTestRedis();
  dir = await mkdtemp(join(tmpdir(), 'rollcall-demo-test-'));
  const io = capturedIo({
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    LOG_LEVEL: 'silent',
    SNAPSHOT_DIR: join(dir, 'snapshots'),
  });
  const code = await demoCommand(['--scale', '0.01'], io, { database: database.name, prefix: redis.prefix, dir });
  stdout = io.output().stdout;
  if (code !== 0) throw new Error(`demo exited ${code}: ${io.output().stderr}\n${stdout}`);
}, 300_000);
afterAll(async () => {
  await redis?.destroy();
  await database?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The rows of the table whose header starts with these column names, as cells cut at the dashed line's columns. */
function tableOf(...columns: string[]): Map<string, string>[] {
  const lines = stdout.split('\n');
  const header = lines.findIndex((line) => new RegExp(`^${columns.join(' +')}( |$)`).test(line));
  expect(header, `a table headed ${columns.join(', ')}`).toBeGreaterThan(-1);
  const starts = [...lines[header + 1]!.matchAll(/-+/g)].map((match) => match.index);
  const names = starts.map((start, i) => lines[header]!.slice(start, starts[i + 1]).trim());
  const rows: Map<string, string>[] = [];
  for (const line of lines.slice(header + 2)) {
    // A table ends at a blank line or at the note in brackets under it.
    if (line.trim() === '' || line.startsWith('(')) break;
    rows.push(new Map(names.map((name, i) => [name, line.slice(starts[i], starts[i + 1]).trim()])));
  }
  return rows;
}

const cell = (row: Map<string, string>, name: string): string => row.get(name) ?? '';
const number = (text: string): number => Number(text.replace(/,/g, ''));

/** The measures table's headline row of `measureId` for `period` (month or as-at), as its cells. */
function measureRow(measureId: string, period: string) {
  const row = tableOf('measure', 'period').find(
    (r) => cell(r, 'measure') === measureId && cell(r, 'period') === period,
  );
  expect(row, `${measureId} ${period}`).toBeDefined();
  return {
    value: cell(row!, 'value'),
    figures: cell(row!, 'numerator / denominator'),
    target: cell(row!, 'target'),
    flags: cell(row!, 'flags'),
  };
}

/** A share row: value to one decimal, the two counts, and the value is their quotient. */
function expectShare(row: ReturnType<typeof measureRow>) {
  const figures = /^([\d,]+) \/ ([\d,]+)$/.exec(row.figures);
  expect(figures, row.figures).not.toBeNull();
  const [numerator, denominator] = [number(figures![1]!), number(figures![2]!)];
  expect(denominator).toBeGreaterThan(0);
  expect(row.value).toBe(`${((numerator / denominator) * 100).toFixed(1)}%`);
  return { numerator, denominator };
}

describe('rollcall demo at 1% volume', () => {
  it('prints the four measures of issue 2 as a person reads them', () => {
    const within10s = measureRow('calls.999.answered_within_10s', 'month');
    const calls = expectShare(within10s);
    // 600 999 calls a day at full volume: 6 a day for 31 days, nearly all answered.
    expect(calls.denominator).toBeGreaterThan(150);
    expect(calls.denominator).toBeLessThan(200);
    expect(within10s.target).toMatch(/^(met|nearly met|not met) \(target 90\.0%\)$/);

    expectShare(measureRow('wanted.on_pnc_over_6_months', 'as-at'));

    // A month at 1% is one DVPN: counts of 1 to 4 are suppressed, with nothing beside them.
    for (const id of ['dvpo.applied', 'dvpo.granted']) {
      const row = measureRow(id, 'month');
      if (row.value === '[c]') expect(row).toEqual({ value: '[c]', figures: '', target: '', flags: '[c]' });
      else expect(row.figures).toBe(row.value);
    }

    // The real data.police.uk file for January 2024 holds 507 searches; the repeats and broken
    // copies mixed into the feed change nothing.
    expect(measureRow('stopsearch.count', 'month')).toEqual({ value: '507', figures: '507', target: '', flags: '' });
  });

  it('shows each kind of figure in its own unit: rates behind a ratio, the count behind a median', () => {
    const ratio = measureRow('stopsearch.disproportionality.other_than_white', 'month');
    const rates = /^(\d[\d.]*) \/ (\d[\d.]*) per 1,000$/.exec(ratio.figures);
    expect(rates, ratio.figures).not.toBeNull();
    const [group, white] = [Number(rates![1]), Number(rates![2])];
    expect(group).toBeLessThan(10);
    expect(white).toBeLessThan(1);
    // The ratio is the quotient of the rates (each shown to 3 figures, so within 1%).
    expect(Number(ratio.value.replace('×', '')) / (group / white)).toBeCloseTo(1, 1);

    expect(measureRow('calls.999.median_answer_seconds', 'month').figures).toMatch(/^n = [\d,]+$/);
    expect(measureRow('calls.999.mean_answer_seconds', 'month').figures).toMatch(/^[\d,]+ s \/ [\d,]+$/);
    expect(measureRow('stopsearch.rate_per_1000', 'month').figures).toBe('507 / 1,599,555');
  });

  it('reviews the grounds of some real searches, so reasonable grounds has a value, revised by late reviews', () => {
    const grounds = measureRow('stopsearch.reasonable_grounds_rate', 'month');
    const { denominator } = expectShare(grounds);
    expect(denominator).toBeGreaterThan(20);
    expect(grounds.flags).toBe('[r]');
    expect(stdout).toMatch(
      /^late events and the national table arrived: published avon-and-somerset_2024-01-31_r2, superseding avon-and-somerset_2024-01-31_r1: \d+ late/m,
    );
  });

  it('mixes late, duplicate and invalid lines into every feed, and accounts for every line offered', () => {
    const mix = tableOf('feed', 'events');
    expect(mix.map((row) => cell(row, 'feed'))).toEqual(['call-handling', 'wanted-persons', 'dvpo', 'stop-search']);
    expect(stdout).toContain(
      "(stop-search: grounds reviews of 507 real searches; its duplicated and invalid lines include copies of the real file's)",
    );
    const stopSearchMix = mix[3]!;
    for (const kind of ['duplicated', 'invalid', 'late'])
      expect(number(cell(stopSearchMix, kind)), kind).toBeGreaterThan(0);

    const accounting = tableOf('feed', 'offered');
    expect(accounting.map((row) => cell(row, 'feed'))).toEqual([
      'call-handling',
      'wanted-persons',
      'dvpo',
      'stop-search',
    ]);
    for (const row of accounting) {
      const [offered, stored, duplicate, rejected] = ['offered', 'stored', 'duplicate', 'rejected'].map((name) =>
        number(cell(row, name)),
      );
      expect(offered, cell(row, 'feed')).toBe(stored! + duplicate! + rejected!);
      expect(stored).toBeGreaterThan(0);
    }
    const stopSearch = accounting[3]!;
    expect(number(cell(stopSearch, 'duplicate'))).toBeGreaterThan(0);
    expect(number(cell(stopSearch, 'rejected'))).toBeGreaterThan(0);
  });

  it('compares the force with its MSG and the country from police.uk’s table, and prints the rank with its interval', () => {
    expect(stdout).toMatch(
      /^loaded police\.uk's 999 table for 2024-01 \(generated, .*\): edition [0-9a-f]{12}, \d+ figures; 1 line\(s\) refused \(force: "Police Scotland" is not a force of England and Wales in the reference data\)$/m,
    );
    expect(stdout).toMatch(/published figures police-uk-999 edition [0-9a-f]{12}/);
    expect(stdout).toMatch(
      /^999 calls answered within 10 s: \d+\.\d%, \d(st|nd|rd|th) of 8 \((\d(st|nd|rd|th) to \d(st|nd|rd|th)|surely \d(st|nd|rd|th))\) in its most similar group, MSG average \d+\.\d%, national band \d+\.\d% to \d+\.\d%; police\.uk prints \d+\.\d% \([+-]\d+\.\d\d points\)$/m,
    );
  });
});
