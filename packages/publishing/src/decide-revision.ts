import type { LocalDate } from '@rollcall/calendar';
import { type DbOrTransaction, findSnapshotHead, readRelease, type SnapshotHead } from '@rollcall/db';
import type { PublishedMeasure } from '@rollcall/measures';
import { COMPARISON_FIELDS, diffMeasures, REVISION_MARK } from './diff-measures.ts';
import type { LoadedSnapshotInputs } from './load-snapshot-inputs.ts';
import type {
  MeasureChange,
  PublishedEditionInput,
  RevisionInfo,
  RevisionReasons,
  SnapshotDocument,
} from './snapshot-document.ts';
import { readSnapshotDocument } from './stored-snapshot-document.ts';

/** A new snapshot to write: which revision it is, what it supersedes, and the measures it publishes. */
export interface NewRevision {
  readonly kind: 'publish';
  readonly revision: number;
  readonly supersedes: string | null;
  /** An embargoed first revision recomputed in place (release control), rather than revised. */
  readonly replaceEmbargoed: boolean;
  readonly revisionOf: RevisionInfo | null;
  /** The measures as published: in a revision, the changed and added entries carry [r]. */
  readonly measures: readonly PublishedMeasure[];
}

/** What publishing these measures does: nothing new (the head stands), or a new snapshot. */
export type RevisionDecision = { readonly kind: 'unchanged'; readonly headId: string } | NewRevision;

export interface RevisionQuestion {
  readonly forceId: string;
  readonly asOf: LocalDate;
  readonly inputs: LoadedSnapshotInputs;
  /** The measures after disclosure control, before any [r] mark. */
  readonly measures: readonly PublishedMeasure[];
  /** SHA-256 of their canonical JSON. */
  readonly contentHash: string;
  readonly now: () => Date;
}

/**
 * Decides, against the force and date's head, whether the measures are new: the head's content
 * hash equal, or the same entries in another order, is nothing new; no head is revision 1; an
 * embargoed first revision is replaced in place; anything else is the next revision, with its
 * changes and reasons.
 */
export async function decideRevision(trx: DbOrTransaction, question: RevisionQuestion): Promise<RevisionDecision> {
  const { forceId, asOf, measures } = question;
  const head = await findSnapshotHead(trx, forceId, asOf);
  if (head && head.contentHash === question.contentHash) return { kind: 'unchanged', headId: head.snapshotId };
  const replaceEmbargoed = await replacesEmbargoedFirstRevision(trx, head, question);
  if (head === undefined || replaceEmbargoed) {
    return { kind: 'publish', revision: 1, supersedes: null, replaceEmbargoed, revisionOf: null, measures };
  }
  const previous = await readSnapshotDocument(trx, head.snapshotId, 'its snapshot head');
  const changes = diffMeasures(previous.measures, measures);
  // The same entries in another order (a code change): nothing anyone reads has changed.
  if (changes.length === 0) return { kind: 'unchanged', headId: head.snapshotId };
  return {
    kind: 'publish',
    revision: head.revision + 1,
    supersedes: head.snapshotId,
    replaceEmbargoed: false,
    revisionOf: {
      supersedes: head.snapshotId,
      previousRevision: head.revision,
      reasons: revisionReasons(head, previous, question.inputs, changes),
      changes,
    },
    measures: markRevisedEntries(measures, changes),
  };
}

/**
 * Release control: a first revision whose pre-announced release is still to come has been seen
 * by nobody but the pre-release list, so late events change it in place, without a revision
 * (operations.md, "Release control"); once released, the revisions policy applies.
 */
async function replacesEmbargoedFirstRevision(
  trx: DbOrTransaction,
  head: SnapshotHead | undefined,
  question: RevisionQuestion,
): Promise<boolean> {
  const release = await readRelease(trx, question.forceId, question.asOf);
  return (
    head !== undefined &&
    head.revision === 1 &&
    release !== undefined &&
    release.releaseAt.getTime() > question.now().getTime()
  );
}

/** Why a revision was made: late and corrected events, reference data, other forces' data, published editions. */
function revisionReasons(
  head: SnapshotHead,
  previous: SnapshotDocument,
  inputs: LoadedSnapshotInputs,
  changes: readonly MeasureChange[],
): RevisionReasons {
  const referenceDataChanged = previous.referenceVersion !== inputs.referenceVersion;
  const populationVintageChanged = previous.populationVintage !== inputs.populationVintage;
  const otherForcesData = changes.some(
    (change) => change.change === 'changed' && change.fields.every((field) => COMPARISON_FIELDS.has(field)),
  );
  const editionName = (edition: PublishedEditionInput) => `${edition.source} edition ${edition.edition}`;
  const previousEditions = new Set((previous.inputs.published ?? []).map(editionName));
  const publishedEditions = inputs.publishedEditions.map(editionName).filter((name) => !previousEditions.has(name));
  return {
    lateEvents: head.staleLateEvents,
    correctedEvents: head.staleCorrectedEvents,
    referenceDataChanged,
    populationVintageChanged,
    otherForcesData,
    ...(publishedEditions.length > 0 && { publishedEditions }),
    other:
      head.staleLateEvents === 0 &&
      head.staleCorrectedEvents === 0 &&
      !referenceDataChanged &&
      !populationVintageChanged &&
      !otherForcesData &&
      publishedEditions.length === 0,
  };
}

/** The measures with every changed or added entry marked [r]. */
function markRevisedEntries(
  measures: readonly PublishedMeasure[],
  changes: readonly MeasureChange[],
): readonly PublishedMeasure[] {
  const changed = new Set(
    changes
      .filter((change) => change.change !== 'removed')
      .map((change) => `${change.measureId}|${change.periodId}|${JSON.stringify(change.breakdown)}`),
  );
  return measures.map((measure) =>
    changed.has(`${measure.measureId}|${measure.period.id}|${JSON.stringify(measure.breakdown)}`)
      ? { ...measure, flags: [...measure.flags, REVISION_MARK] }
      : measure,
  );
}
