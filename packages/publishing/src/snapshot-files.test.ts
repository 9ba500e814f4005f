import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeStaleTemporaryFiles, STALE_TEMPORARY_FILE_MS, writeFileAtomically } from './snapshot-files.ts';

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rollcall-atomic-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A fresh directory for one test, with `latest.json` holding `old` and an empty `.tmp` beside it. */
async function target(name: string): Promise<{ path: string; temporary: string }> {
  const base = join(dir, name);
  await mkdir(join(base, '.tmp'), { recursive: true });
  const path = join(base, 'latest.json');
  await writeFile(path, 'old');
  return { path, temporary: join(base, '.tmp') };
}

describe('writeFileAtomically', () => {
  it('leaves the old file whole, and no temporary file, when the write fails half-way', async () => {
    const { path, temporary } = await target('full-disk');
    // A writer limited to 32 KiB per file (`ulimit -f 64`, 512-byte blocks) writing 1 MiB: the
    // write fails with EFBIG after 32 KiB, as on a full disk. Writing in place would have left
    // 32 KiB of the new content where the old file was.
    const script = `
      const { writeFileAtomically } = await import(process.argv[1]);
      await writeFileAtomically(process.argv[2], 'x'.repeat(1 << 20), process.argv[3]).then(() => console.log('written'), (err) => console.log(err.code));`;
    const moduleUrl = new URL('./snapshot-files.ts', import.meta.url).href;
    const { stdout } = await run(
      'sh',
      [
        '-c',
        'ulimit -f 64 && exec "$@"',
        'sh',
        process.execPath,
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        script,
        moduleUrl,
        path,
        temporary,
      ],
      {
        cwd: REPO_ROOT,
      },
    );
    expect(stdout.trim()).toBe('EFBIG');
    expect(await readFile(path, 'utf8')).toBe('old');
    expect(await readdir(temporary)).toEqual([]);
  });

  it('leaves the target as it was, and no temporary file, when the rename fails', async () => {
    const { temporary } = await target('rename-fails');
    // A directory where the file should go (an operator's mistake): rename(2) refuses with EISDIR.
    const path = join(dir, 'rename-fails', 'latest.csv');
    await mkdir(path);
    await writeFile(join(path, 'keep'), 'kept');
    await expect(writeFileAtomically(path, 'new', temporary)).rejects.toMatchObject({ code: 'EISDIR' });
    expect(await readdir(path)).toEqual(['keep']);
    expect(await readdir(temporary)).toEqual([]);
  });

  it('never shows a reader half a file while the file is rewritten over and over', async () => {
    const { path, temporary } = await target('concurrent');
    // Half a megabyte each, different lengths: a torn read is neither. Twenty rewrites take about
    // 400 ms (each is flushed to disk); in-place writes showed a partial file on almost every read.
    const a = 'a'.repeat(512 * 1024);
    const b = 'b'.repeat(512 * 1024 + 4096);
    await writeFileAtomically(path, a, temporary);
    let writing = true;
    const seen = new Set<string>();
    let torn = 0;
    const reader = (async () => {
      while (writing) {
        const text = await readFile(path, 'utf8');
        if (text === a) seen.add('a');
        else if (text === b) seen.add('b');
        else torn += 1;
      }
    })();
    for (let i = 0; i < 20; i++) await writeFileAtomically(path, i % 2 === 0 ? b : a, temporary);
    writing = false;
    await reader;
    expect(torn).toBe(0);
    expect([...seen].sort()).toEqual(['a', 'b']);
    expect(await readdir(temporary)).toEqual([]);
  });

  it('writes beside the target when given no directory for the temporary file', async () => {
    const { path } = await target('beside');
    await writeFileAtomically(path, 'new');
    expect(await readFile(path, 'utf8')).toBe('new');
    expect(await readdir(join(dir, 'beside'))).toEqual(['.tmp', 'latest.json']);
  });
});

describe('removeStaleTemporaryFiles', () => {
  it("removes only the writer's own temporary files older than 15 minutes", async () => {
    const temporary = join(dir, 'leftovers');
    await mkdir(temporary);
    const now = new Date('2026-12-01T03:30:00Z');
    const aged = async (name: string, ageMs: number, kind: 'file' | 'directory' = 'file') => {
      const path = join(temporary, name);
      if (kind === 'file') await writeFile(path, 'partial');
      else await mkdir(path);
      const at = new Date(now.getTime() - ageMs);
      await utimes(path, at, at);
    };
    await aged('latest.json.tmp-4242-0a1b2c3d', 16 * 60_000);
    await aged('kent_2022-03-31_r1.csv.tmp-7-deadbeef', STALE_TEMPORARY_FILE_MS + 1);
    // A write that may still be in progress, in another process.
    await aged('latest.csv.tmp-4243-00ff00ff', STALE_TEMPORARY_FILE_MS - 1_000);
    // Not the writer's: kept whatever their age.
    await aged('notes.txt', 86_400_000);
    await aged('latest.json.tmp-backup', 86_400_000);
    await aged('report.pdf.tmp-1-00000000', 86_400_000);
    await aged('latest.json.tmp-1-00000000', 86_400_000, 'directory');

    expect(await removeStaleTemporaryFiles(temporary, now)).toEqual([
      'kent_2022-03-31_r1.csv.tmp-7-deadbeef',
      'latest.json.tmp-4242-0a1b2c3d',
    ]);
    expect((await readdir(temporary)).sort()).toEqual([
      'latest.csv.tmp-4243-00ff00ff',
      'latest.json.tmp-1-00000000',
      'latest.json.tmp-backup',
      'notes.txt',
      'report.pdf.tmp-1-00000000',
    ]);
    expect(await removeStaleTemporaryFiles(join(dir, 'never-written'), now)).toEqual([]);
  });
});
