import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capturedIo, runCli } from '@rollcall/cli';
import { policeUkSampleFile } from '@rollcall/importers';
import { TEST_PSEUDONYM_KEY } from '@rollcall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureOf, PipelineHarness } from './support/pipeline-harness.ts';

/**
 * Issue 14, stop and search: several forces' data.police.uk files, laid out as the monthly archive
 * is (`2024-01/2024-01-<force>-stop-and-search.csv`, the file name giving the force), go through
 * the existing importer, and the force's snapshot ranks its searches per 1,000 residents among
 * the MSG forces that have files, with the rank's interval and a national band. Avon and
 * Somerset's file is the real one; the others are cut from it (their first rows), since the
 * repository keeps one force's real files.
 */
let harness: PipelineHarness;
let archive: string;
const OTHER_FORCES = { derbyshire: 120, kent: 400, sussex: 60, cumbria: 30 } as const;

beforeAll(async () => {
  harness = await PipelineHarness.start();
  archive = await mkdtemp(join(tmpdir(), 'rollcall-archive-'));
  const month = join(archive, '2024-01');
  await mkdir(month);
  const real = await readFile(policeUkSampleFile('2024-01'), 'utf8');
  await writeFile(join(month, '2024-01-avon-and-somerset-stop-and-search.csv'), real);
  const [header, ...rows] = real.trimEnd().split('\n');
  for (const [force, count] of Object.entries(OTHER_FORCES))
    await writeFile(
      join(month, `2024-01-${force}-stop-and-search.csv`),
      `${[header, ...rows.slice(0, count)].join('\n')}\n`,
    );
});
afterAll(async () => {
  await harness.close();
  await rm(archive, { recursive: true, force: true });
});

async function rollcall(...args: string[]) {
  const io = capturedIo({
    DATABASE_URL: harness.database.url,
    REDIS_URL: harness.redis.url,
    QUEUE_PREFIX: harness.redis.prefix,
    PSEUDONYM_KEY: TEST_PSEUDONYM_KEY,
    LOG_LEVEL: 'silent',
  });
  const code = await runCli(args, io);
  return { code, ...io.output() };
}

describe('several forces’ data.police.uk files from the monthly archive', () => {
  it('imports each force from its file name and ranks the force’s search rate in its MSG with the interval', async () => {
    for (const force of ['avon-and-somerset', ...Object.keys(OTHER_FORCES)]) {
      const result = await rollcall(
        'ingest',
        '--feed',
        'stop-search',
        '--format',
        'police-uk-csv',
        join(archive, '2024-01', `2024-01-${force}-stop-and-search.csv`),
      );
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(`${force} 2024-01:`);
    }
    await harness.drain();
    const snapshot = await harness.publish('avon-and-somerset', '2024-01-31');
    const rate = measureOf(snapshot, 'stopsearch.rate_per_1000', 'month');
    expect(rate.numerator).toBe(507);
    // Avon and Somerset with 507 searches and three MSG members with files (Cumbria is not in its MSG).
    expect(rate.msg).toMatchObject({ rank: expect.stringMatching(/^\d\/4$/), rankInterval: { of: 4 } });
    expect(rate.msg?.rankInterval?.label).toMatch(/^\d(st|nd|rd|th) of 4 \(/);
    expect(rate.msg?.leftOut.map((left) => left.force).sort()).toEqual([
      'essex',
      'hampshire',
      'hertfordshire',
      'staffordshire',
    ]);
    // The national band is over every force with data: the five files.
    expect(rate.national?.band).not.toBeNull();
    expect(rate.msg?.sources).toBeUndefined();
  });
});
