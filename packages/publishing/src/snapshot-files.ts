import { randomBytes } from 'node:crypto';
import { access, lstat, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { snapshotToCsv } from './snapshot-csv.ts';
import type { SnapshotDocument } from './snapshot-document.ts';

/**
 * Writes `content` so that a reader sees either the old file or the new one, never half of
 * either: write a temporary file, flushed to disk, then rename it over the target (atomic on POSIX
 * file systems). The temporary file goes in `temporaryDirectory`, which must be on the target's
 * file system (a rename across file systems fails with EXDEV); by default the target's own.
 */
export async function writeFileAtomically(
  path: string,
  content: string,
  temporaryDirectory = dirname(path),
): Promise<void> {
  const temporary = join(temporaryDirectory, `${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(temporary, content, { encoding: 'utf8', flush: true });
    await rename(temporary, path);
  } catch (error) {
    // A process that dies before this line leaves the file behind: see removeStaleTemporaryFiles.
    await rm(temporary, { force: true });
    throw error;
  }
}

/** The names `writeFileAtomically` gives the temporary files of snapshot files: `<name>.json|csv.tmp-<pid>-<8 hex>`. */
const TEMPORARY_FILE = /^[^/]+\.(?:json|csv)\.tmp-\d+-[0-9a-f]{8}$/;

/**
 * How old a temporary file must be before it is taken for a dead writer's: 15 minutes. Writing one
 * takes milliseconds (a snapshot's JSON is about 1 MB, flushed in tens of ms); a younger one may be
 * another process's write in progress (`rollcall snapshot` while the scheduler drains), whose
 * rename would fail if it were removed.
 */
export const STALE_TEMPORARY_FILE_MS = 15 * 60_000;

/**
 * Where the snapshot files' temporary files are written: `<dir>/.tmp`, one directory for every
 * force and date, so that a dead writer's leftovers are all found by reading one directory (rather
 * than the thousands of date directories) and no reader of a date directory ever lists them.
 */
export const temporaryDirectoryOf = (dir: string): string => join(resolve(dir), '.tmp');

/**
 * Removes from `directory` the temporary files of writers that died between writing and renaming
 * (the catch of `writeFileAtomically` never ran), when older than `maxAgeMs`: only names of the
 * writer's own pattern, and only regular files. A missing directory has none. Returns the names
 * removed, sorted.
 */
export async function removeStaleTemporaryFiles(
  directory: string,
  now: Date,
  maxAgeMs = STALE_TEMPORARY_FILE_MS,
): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const removed: string[] = [];
  for (const name of names.filter((candidate) => TEMPORARY_FILE.test(candidate)).sort()) {
    const path = join(directory, name);
    const stats = await lstat(path).catch(() => undefined);
    if (!stats?.isFile() || now.getTime() - stats.mtimeMs < maxAgeMs) continue;
    await rm(path, { force: true });
    removed.push(name);
  }
  return removed;
}

export interface SnapshotFilePaths {
  readonly json: string;
  readonly csv: string;
  readonly latestJson: string | null;
  readonly latestCsv: string | null;
}

/** Where a snapshot's files live: `<dir>/<forceId>/<asOf>/<snapshotId>.json|csv`, and `<dir>/<forceId>/latest.*`. */
export function snapshotFilePaths(
  dir: string,
  document: Pick<SnapshotDocument, 'forceId' | 'asOf' | 'snapshotId'>,
): SnapshotFilePaths {
  const forceDir = join(resolve(dir), document.forceId);
  return {
    json: join(forceDir, document.asOf, `${document.snapshotId}.json`),
    csv: join(forceDir, document.asOf, `${document.snapshotId}.csv`),
    ...latestFilePaths(dir, document.forceId),
  };
}

/** `<dir>/<forceId>/latest.json|csv`: the force's newest snapshot. */
function latestFilePaths(dir: string, forceId: string): { readonly latestJson: string; readonly latestCsv: string } {
  const forceDir = join(resolve(dir), forceId);
  return { latestJson: join(forceDir, 'latest.json'), latestCsv: join(forceDir, 'latest.csv') };
}

/** Pretty-printed, with a final newline, so the files diff and read well. */
const snapshotJson = (document: SnapshotDocument): string => `${JSON.stringify(document, null, 2)}\n`;

/**
 * Writes a snapshot's own JSON and CSV (`<dir>/<forceId>/<asOf>/<snapshotId>.*`). Idempotent: the
 * document is immutable, so writing again writes the same bytes. Returns the paths, with the
 * `latest*` ones null (see `writeLatestSnapshotFiles`).
 */
export async function writeSnapshotFiles(dir: string, document: SnapshotDocument): Promise<SnapshotFilePaths> {
  const paths = snapshotFilePaths(dir, document);
  const temporary = temporaryDirectoryOf(dir);
  await mkdir(dirname(paths.json), { recursive: true });
  await mkdir(temporary, { recursive: true });
  await writeFileAtomically(paths.json, snapshotJson(document), temporary);
  await writeFileAtomically(paths.csv, snapshotToCsv(document), temporary);
  return { ...paths, latestJson: null, latestCsv: null };
}

/**
 * Writes `<dir>/<forceId>/latest.json|csv` from `document`. The caller passes the force's newest
 * snapshot as the database has it, never merely the one it just published: a revision of an older
 * date, or one whose delivery finishes late, must not move `latest` backwards.
 */
export async function writeLatestSnapshotFiles(
  dir: string,
  document: SnapshotDocument,
): Promise<{ readonly latestJson: string; readonly latestCsv: string }> {
  const paths = latestFilePaths(dir, document.forceId);
  const temporary = temporaryDirectoryOf(dir);
  await mkdir(dirname(paths.latestJson), { recursive: true });
  await mkdir(temporary, { recursive: true });
  await writeFileAtomically(paths.latestJson, snapshotJson(document), temporary);
  await writeFileAtomically(paths.latestCsv, snapshotToCsv(document), temporary);
  return paths;
}

export async function snapshotFilesExist(
  dir: string,
  document: Pick<SnapshotDocument, 'forceId' | 'asOf' | 'snapshotId'>,
): Promise<boolean> {
  const paths = snapshotFilePaths(dir, document);
  try {
    await access(paths.json);
    await access(paths.csv);
    return true;
  } catch {
    return false;
  }
}
