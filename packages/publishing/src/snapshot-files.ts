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

/**
 * Writes a snapshot's JSON and CSV, and the force's `latest.json`/`latest.csv` when it is the
 * force's latest (a revision of an older date does not move `latest`).
 */
export async function writeSnapshotFiles(dir: string, document: SnapshotDocument, isLatest: boolean): Promise<SnapshotFilePaths> {
  const paths = snapshotFilePaths(dir, document);
  await mkdir(join(resolve(dir), document.forceId, document.asOf), { recursive: true });
  const json = `${JSON.stringify(document, null, 2)}\n`;
  const csv = snapshotToCsv(document);
  await writeFileAtomically(paths.json, json);
  await writeFileAtomically(paths.csv, csv);
  if (!isLatest) return { ...paths, latestJson: null, latestCsv: null };
  await writeFileAtomically(paths.latestJson!, json);
  await writeFileAtomically(paths.latestCsv!, csv);
  return paths;
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
