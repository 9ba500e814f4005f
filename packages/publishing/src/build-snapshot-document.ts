import { codeVersion } from '@rollcall/runtime';
import type { NewRevision } from './decide-revision.ts';
import type { LoadedSnapshotInputs } from './load-snapshot-inputs.ts';
import type { SnapshotDocument } from './snapshot-document.ts';

export const snapshotIdOf = (forceId: string, asOf: string, revision: number): string =>
  `${forceId}_${asOf}_r${revision}`;

export interface SnapshotDocumentParts {
  readonly forceId: string;
  readonly asOf: string;
  readonly inputs: LoadedSnapshotInputs;
  readonly contentHash: string;
  readonly revision: NewRevision;
  readonly rules: SnapshotDocument['rules'];
  readonly timeZone: string;
  readonly generatedAt: Date;
}

/** The snapshot document of a new revision, as stored and delivered. */
export function buildSnapshotDocument(parts: SnapshotDocumentParts): SnapshotDocument {
  const { forceId, asOf, inputs, revision } = parts;
  return {
    snapshotId: snapshotIdOf(forceId, asOf, revision.revision),
    forceId,
    forceName: inputs.forceName,
    asOf,
    generatedAt: parts.generatedAt.toISOString(),
    revision: revision.revision,
    supersedes: revision.supersedes,
    contentHash: parts.contentHash,
    codeVersion: codeVersion(),
    referenceVersion: inputs.referenceVersion,
    populationVintage: inputs.populationVintage,
    timeZone: parts.timeZone,
    rules: parts.rules,
    inputs: {
      feeds: inputs.feeds,
      ...(inputs.publishedEditions.length > 0 && { published: inputs.publishedEditions }),
      watermarks: inputs.watermarks,
    },
    periods: inputs.computation.periods,
    revisionOf: revision.revisionOf,
    measures: revision.measures,
  };
}
