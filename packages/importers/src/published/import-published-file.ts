import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { defined, sha256Hex } from '@rollcall/contract';
import { type Db, type PublishedEditionOutcome, listForces, recordPublishedEdition } from '@rollcall/db';
import { forceNameMatcher } from './force-name-matcher.ts';
import { PublishedFileError, type RejectedLine } from './published-file.ts';
import { POLICE_UK_999_SOURCE, readPoliceUk999 } from './read-police-uk-999.ts';
import { readPublishedLong } from './read-published-long.ts';

/** The layouts `rollcall import-published --source` reads. */
export const PUBLISHED_SOURCES = [POLICE_UK_999_SOURCE, 'published-long'] as const;
export type PublishedSourceLayout = (typeof PUBLISHED_SOURCES)[number];

export interface PublishedImportSummary extends PublishedEditionOutcome {
  readonly file: string;
  readonly layout: PublishedSourceLayout;
  /** The first 12 hex digits of the file's SHA-256: how snapshots name the edition. */
  readonly edition: string;
  readonly rejectedLines: readonly RejectedLine[];
}

/**
 * Loads one file of figures published by others: read and checked in full first (a whole-file
 * problem throws PublishedFileError and nothing is stored), then stored as one edition in one
 * transaction. The same content loaded again changes nothing; a changed edition replaces the
 * figures it changes and marks the snapshots they move stale (their next publication is a
 * revision giving the edition as its reason).
 */
export async function importPublishedFile(options: {
  readonly db: Db;
  readonly layout: PublishedSourceLayout;
  readonly path: string;
  /** The measure ids a long file may name (the measures catalogue). */
  readonly knownMeasureIds: ReadonlySet<string>;
}): Promise<PublishedImportSummary> {
  const text = await readFile(options.path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new PublishedFileError(
      `cannot read ${options.path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`,
    );
  });
  const forces = await listForces(options.db);
  const matchForce = forceNameMatcher(forces);
  const reading =
    options.layout === POLICE_UK_999_SOURCE
      ? readPoliceUk999(text, matchForce)
      : readPublishedLong(text, matchForce, options.knownMeasureIds);
  const contentSha256 = sha256Hex(text);
  // A long file may hold several sources: each is its own edition of this file.
  const bySource = new Map<string, typeof reading.figures>();
  for (const figure of reading.figures) bySource.set(figure.source, [...(bySource.get(figure.source) ?? []), figure]);
  if (bySource.size === 0) bySource.set(options.layout, []);
  let total: PublishedEditionOutcome | undefined;
  for (const [source, figures] of bySource) {
    const outcome = await recordPublishedEdition(
      options.db,
      { source, fileName: basename(options.path), contentSha256 },
      figures,
    );
    total =
      total === undefined
        ? outcome
        : {
            ...outcome,
            alreadyLoaded: total.alreadyLoaded && outcome.alreadyLoaded,
            figures: total.figures + outcome.figures,
            changed: total.changed + outcome.changed,
            staleSnapshotHeads: total.staleSnapshotHeads + outcome.staleSnapshotHeads,
          };
  }
  return {
    // bySource holds at least one source (an empty file is one edition with no figures).
    ...defined(total, 'the outcome of the first edition'),
    file: options.path,
    layout: options.layout,
    edition: contentSha256.slice(0, 12),
    rejectedLines: reading.rejectedLines,
  };
}
