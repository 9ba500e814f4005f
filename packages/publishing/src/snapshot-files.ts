import { randomBytes } from 'node:crypto';
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { snapshotToCsv } from './snapshot-csv.ts';
import type { SnapshotDocument } from './snapshot-document.ts';

/**
 * Writes `content` so that a reader sees either the old file or the new one, never half of
 * either: write a temporary file in the same directory, then rename over the target (atomic on
 * POSIX file systems).
 */
export async function writeFileAtomically(path: string, content: string): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(temporary, content, { encoding: 'utf8', flush: true });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

export interface SnapshotFilePaths {
  readonly json: string;
  readonly csv: string;
  readonly latestJson: string | null;
  readonly latestCsv: string | null;
}

/** Where a snapshot's files live: `<dir>/<forceId>/<asOf>/<snapshotId>.json|csv`, and `<dir>/<forceId>/latest.*`. */
export function snapshotFilePaths(dir: string, document: Pick<SnapshotDocument, 'forceId' | 'asOf' | 'snapshotId'>): SnapshotFilePaths {
  const forceDir = join(resolve(dir), document.forceId);
  return {
    json: join(forceDir, document.asOf, `${document.snapshotId}.json`),
    csv: join(forceDir, document.asOf, `${document.snapshotId}.csv`),
    latestJson: join(forceDir, 'latest.json'),
    latestCsv: join(forceDir, 'latest.csv'),
  };
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
  await mkdir(join(resolve(dir), document.forceId, document.asOf), { recursive: true });
  await writeFileAtomically(paths.json, snapshotJson(document));
  await writeFileAtomically(paths.csv, snapshotToCsv(document));
  return { ...paths, latestJson: null, latestCsv: null };
}

/**
 * Writes `<dir>/<forceId>/latest.json|csv` from `document`. The caller passes the force's newest
 * snapshot as the database has it, never merely the one it just published: a revision of an older
 * date, or one whose delivery finishes late, must not move `latest` backwards.
 */
export async function writeLatestSnapshotFiles(dir: string, document: SnapshotDocument): Promise<{ readonly latestJson: string; readonly latestCsv: string }> {
  const paths = snapshotFilePaths(dir, document);
  await mkdir(join(resolve(dir), document.forceId), { recursive: true });
  await writeFileAtomically(paths.latestJson!, snapshotJson(document));
  await writeFileAtomically(paths.latestCsv!, snapshotToCsv(document));
  return { latestJson: paths.latestJson!, latestCsv: paths.latestCsv! };
}

export async function snapshotFilesExist(dir: string, document: Pick<SnapshotDocument, 'forceId' | 'asOf' | 'snapshotId'>): Promise<boolean> {
  const paths = snapshotFilePaths(dir, document);
  try {
    await access(paths.json);
    await access(paths.csv);
    return true;
  } catch {
    return false;
  }
}
