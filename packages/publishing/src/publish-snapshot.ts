import type { LocalDate } from '@rollcall/calendar';
import type { Transaction } from 'kysely';
import { canonicalJson, sha256Hex } from '@rollcall/contract';
import {
  clearSnapshotHeadStale,
  type Database,
  enqueueSnapshotDelivery,
  lockForceForPublication,
  lockSnapshotKey,
  replaceEmbargoedSnapshot,
  insertSnapshot,
  setTransactionWorkMem,
} from '@rollcall/db';
import {
  applyDisclosureControl,
  computeSnapshotMeasures,
  DEFAULT_NEARLY_MET_RULE,
  DEFAULT_TREND_THRESHOLDS,
  type DisclosureReport,
  type DisclosureRule,
  type NearlyMetRule,
  type PublishedMeasure,
  type TrendThresholds,
} from '@rollcall/measures';
import { buildSnapshotDocument } from './build-snapshot-document.ts';
import { decideRevision } from './decide-revision.ts';
import { type LoadedSnapshotInputs, loadSnapshotInputs } from './load-snapshot-inputs.ts';
import type { PublishDeps } from './publish-deps.ts';
import type { SnapshotDocument } from './snapshot-document.ts';
import { type SnapshotFilePaths, snapshotFilesExist } from './snapshot-files.ts';
import { drainSnapshotOutbox } from './snapshot-outbox.ts';
import { snapshotRules } from './snapshot-rules.ts';
import { readSnapshotDocument } from './stored-snapshot-document.ts';

// Kept importable from here, where callers and tests have always found them.
export { COMPARISON_FIELDS, diffMeasures } from './diff-measures.ts';
export { snapshotIdOf } from './build-snapshot-document.ts';

export interface PublishOutcome {
  readonly forceId: string;
  readonly asOf: string;
  readonly snapshotId: string;
  readonly revision: number;
  /** False when the inputs had not changed and the published snapshot stands. */
  readonly created: boolean;
  readonly document: SnapshotDocument;
  /** The files this call wrote; null when it wrote none (no SNAPSHOT_DIR, or unchanged and delivered before). */
  readonly files: SnapshotFilePaths | null;
}

/** The snapshot committed, but its files or message could not be written; the outbox keeps it for the next drain. */
export class SnapshotDeliveryError extends Error {
  override readonly name = 'SnapshotDeliveryError';
  constructor(
    readonly snapshotId: string,
    readonly reason: string,
  ) {
    super(
      `snapshot ${snapshotId} is published but its files or message could not be written (the next drain retries): ${reason}`,
    );
  }
}

/**
 * Computes and publishes the snapshot of one force for one date: the nightly run and
 * `rollcall snapshot` both come here.
 *
 * It runs in one transaction (READ COMMITTED, PostgreSQL's default) holding the force's
 * publication lock, which ingest transactions of the force take in shared mode: none can commit
 * between reading the inputs and recording the head, so an event that arrives later is certain to
 * find the head and mark it stale. The content hash covers the measures only (before [r] marks),
 * so publishing unchanged inputs again creates nothing; changed inputs create the next revision,
 * superseding the last, with its changes and reasons.
 *
 * What makes a revision: any change to a published entry, the MSG and national comparisons
 * included. They are part of what an analyst reads and quotes (a force's MSG rank can move while
 * its own figures stand, when another force's late events arrive), so a snapshot showing a moved
 * rank must not keep the old id and hash. Every revision says what changed and why: its `changes`
 * list each entry with the fields that differ (never empty: the same entries in another order
 * are not a revision), each marked [r], and `reasons.otherForcesData` says when entries changed
 * only in their comparisons. Other forces' data do not make a force's heads stale, so such a
 * revision appears when the date is published again (an operator, or revising the force's own
 * late events), not behind anyone's back.
 *
 * Files and the `snapshots.published` message are an outbox: the transaction records the new
 * snapshot as undelivered, and after the commit `drainSnapshotOutbox` writes them for this force
 * and marks the row delivered. If the process dies in between, the next drain (the next
 * publication of the force, the scheduler's start, the next nightly run) delivers it. Throws
 * SnapshotDeliveryError when this snapshot committed but could not be delivered.
 *
 * Release control: a force and date in the release calendar stays embargoed until its release
 * time (its outbox row waits, readers hide it); until then a first revision is recomputed in
 * place rather than revised. `inputs.watermarks` (lineage) is stored beside the content hash.
 */
export async function publishSnapshot(deps: PublishDeps, forceId: string, asOf: LocalDate): Promise<PublishOutcome> {
  const rules = publicationRulesOf(deps);
  const now = deps.now ?? (() => new Date());
  const result = await deps.db.transaction().execute(async (trx): Promise<Publication> => {
    await lockForPublication(trx, forceId, asOf);
    const inputs = await loadSnapshotInputs(trx, forceId, asOf, deps.timeZone);
    const { measures, report, contentHash } = computeDisclosedMeasures(inputs, rules);
    const decision = await decideRevision(trx, { forceId, asOf, inputs, measures, contentHash, now });
    if (decision.kind === 'unchanged') return keepHead(trx, forceId, asOf, decision.headId);
    const document = buildSnapshotDocument({
      forceId,
      asOf,
      inputs,
      contentHash,
      revision: decision,
      rules: snapshotRules({ ...rules, report }),
      timeZone: deps.timeZone,
      generatedAt: now(),
    });
    await storeSnapshotAndOutboxRow(trx, document, decision.replaceEmbargoed, now);
    return { created: true, document };
  });
  const files = await deliverPublication(deps, forceId, asOf, result);
  const { document, created } = result;
  return { forceId, asOf, snapshotId: document.snapshotId, revision: document.revision, created, document, files };
}

/** What the publication transaction did: a new snapshot, or the head's kept. */
interface Publication {
  readonly created: boolean;
  readonly document: SnapshotDocument;
}

/** The rules a deployment publishes under, with their defaults. */
interface PublicationRules {
  readonly disclosure: DisclosureRule;
  readonly trendThresholds: TrendThresholds;
  readonly nearlyMet: NearlyMetRule;
}

function publicationRulesOf(deps: PublishDeps): PublicationRules {
  return {
    disclosure: deps.disclosure,
    trendThresholds: deps.trendThresholds ?? DEFAULT_TREND_THRESHOLDS,
    nearlyMet: deps.nearlyMet ?? DEFAULT_NEARLY_MET_RULE,
  };
}

/**
 * Takes the force's publication lock (its ingest waits) and the force and date's key, and gives
 * the transaction the memory its period sums need.
 */
async function lockForPublication(trx: Transaction<Database>, forceId: string, asOf: LocalDate): Promise<void> {
  await lockForceForPublication(trx, forceId);
  await lockSnapshotKey(trx, forceId, asOf);
  // The period sums group some 35,000 (window, force, metric, dimension) keys out of 175,000
  // rows for three years of one force: about 9 MB of hash table, which the default 4 MB
  // work_mem spills to disk in batches (measured: 470 ms against 150 in memory).
  await setTransactionWorkMem(trx, 64);
}

/** Every measure computed and put through disclosure control, with the content hash of the result. */
function computeDisclosedMeasures(
  inputs: LoadedSnapshotInputs,
  rules: PublicationRules,
): { measures: PublishedMeasure[]; report: DisclosureReport; contentHash: string } {
  const computed = computeSnapshotMeasures(inputs.computation, rules);
  const { measures, report } = applyDisclosureControl(computed, rules.disclosure);
  return { measures, report, contentHash: sha256Hex(canonicalJson(measures)) };
}

/** Nothing new: the head stands, no longer stale. */
async function keepHead(
  trx: Transaction<Database>,
  forceId: string,
  asOf: LocalDate,
  headId: string,
): Promise<Publication> {
  await clearSnapshotHeadStale(trx, forceId, asOf);
  return { created: false, document: await readSnapshotDocument(trx, headId, 'its snapshot head') };
}

/** Stores the new snapshot (or replaces the embargoed first revision) and records it undelivered in the outbox. */
async function storeSnapshotAndOutboxRow(
  trx: Transaction<Database>,
  document: SnapshotDocument,
  replaceEmbargoed: boolean,
  now: () => Date,
): Promise<void> {
  const { snapshotId, forceId, asOf } = document;
  const stored = {
    snapshotId,
    forceId,
    asOf,
    revision: document.revision,
    supersedes: document.supersedes,
    contentHash: document.contentHash,
    generatedAt: new Date(document.generatedAt),
    document,
  };
  if (replaceEmbargoed) await replaceEmbargoedSnapshot(trx, stored, now());
  else await insertSnapshot(trx, stored);
  await enqueueSnapshotDelivery(trx, { snapshotId, forceId, asOf });
}

/**
 * After the commit: drains the force's outbox (this snapshot's files and message among them),
 * logs the publication and returns the files written. Throws SnapshotDeliveryError when this
 * snapshot could not be delivered.
 */
async function deliverPublication(
  deps: PublishDeps,
  forceId: string,
  asOf: LocalDate,
  { document, created }: Publication,
): Promise<SnapshotFilePaths | null> {
  // Unchanged, but its files are gone (SNAPSHOT_DIR restored without them): deliver it again.
  if (!created && deps.snapshotDir !== null && !(await snapshotFilesExist(deps.snapshotDir, document))) {
    await enqueueSnapshotDelivery(deps.db, { snapshotId: document.snapshotId, forceId, asOf });
  }
  const deliveries = await drainSnapshotOutbox(deps, {
    forceIds: [forceId],
    documents: new Map([[document.snapshotId, document]]),
  });
  const delivery = deliveries.find((outcome) => outcome.snapshotId === document.snapshotId);
  deps.log.info(
    {
      forceId,
      asOf,
      snapshotId: document.snapshotId,
      revision: document.revision,
      created,
      measures: document.measures.length,
    },
    created ? 'snapshot published' : 'snapshot unchanged',
  );
  if (delivery?.error) throw new SnapshotDeliveryError(document.snapshotId, delivery.error);
  return delivery?.files ?? null;
}
