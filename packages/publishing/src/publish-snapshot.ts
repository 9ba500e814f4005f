import { readSnapshotDocument } from './stored-snapshot-document.ts';
import type { PublishDeps } from './publish-deps.ts';
import type { LocalDate } from '@rollcall/calendar';
import {
  clearSnapshotHeadStale,
  enqueueSnapshotDelivery,
  findSnapshotHead,
  setTransactionWorkMem,
  insertSnapshot,
  lockForceForPublication,
  lockSnapshotKey,
  readRelease,
  replaceEmbargoedSnapshot,
} from '@rollcall/db';
import {
  applyDisclosureControl,
  computeSnapshotMeasures,
  DEFAULT_NEARLY_MET_RULE,
  DEFAULT_SIMILAR_WITHIN_PERCENT,
  DEFAULT_TREND_THRESHOLDS,
  type PublishedMeasure,
  trendRule,
} from '@rollcall/measures';
import { canonicalJson, sha256Hex, snapshotEntryKey } from '@rollcall/contract';
import { codeVersion } from '@rollcall/runtime';
import { loadSnapshotInputs } from './load-snapshot-inputs.ts';
import type { MeasureChange, PublishedEditionInput, RevisionInfo, SnapshotDocument } from './snapshot-document.ts';
import { type SnapshotFilePaths, snapshotFilesExist } from './snapshot-files.ts';
import { drainSnapshotOutbox } from './snapshot-outbox.ts';

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

export const snapshotIdOf = (forceId: string, asOf: string, revision: number): string =>
  `${forceId}_${asOf}_r${revision}`;

const figures = (measure: PublishedMeasure) => ({
  value: measure.value,
  numerator: measure.numerator,
  denominator: measure.denominator,
});

/**
 * Fields of an entry that can move when only other forces' data change: the MSG rank and average
 * and the national band are computed over the force's group, or over every force; the
 * reconciliation sets the force's figure beside what others published of it.
 */
export const COMPARISON_FIELDS: ReadonlySet<string> = new Set(['msg', 'national', 'reconciliation']);

/** The revision mark is the publisher's note that an entry changed, not part of what changed. */
const REVISION_MARK = '[r]';

/** The fields of an entry (every published field) whose values differ between two revisions, sorted. */
function changedFields(before: PublishedMeasure, after: PublishedMeasure): string[] {
  const old: Record<string, unknown> = { ...before, flags: before.flags.filter((flag) => flag !== REVISION_MARK) };
  const now: Record<string, unknown> = { ...after, flags: after.flags.filter((flag) => flag !== REVISION_MARK) };
  const keys = [...new Set([...Object.keys(old), ...Object.keys(now)])].sort();
  // An absent field and a null one differ (as they do in the content hash).
  return keys.filter(
    (key) =>
      (old[key] === undefined) !== (now[key] === undefined) || canonicalJson(old[key]) !== canonicalJson(now[key]),
  );
}

/**
 * The entries that differ between two revisions: added, removed, or changed in any published
 * field (figures, interval, target status, trend, MSG and national comparisons, flags, ...), each
 * with the names of the fields that changed. It compares whole entries, as the content hash does,
 * so two revisions with different hashes always have at least one change here unless only the
 * order of the entries moved (which `publishSnapshot` does not publish as a revision).
 */
export function diffMeasures(before: readonly PublishedMeasure[], after: readonly PublishedMeasure[]): MeasureChange[] {
  const previous = new Map(before.map((measure) => [snapshotEntryKey(measure), measure]));
  const current = new Map(after.map((measure) => [snapshotEntryKey(measure), measure]));
  const changes: MeasureChange[] = [];
  for (const [key, measure] of current) {
    const old = previous.get(key);
    const base = { measureId: measure.measureId, breakdown: measure.breakdown, periodId: measure.period.id };
    if (!old) {
      changes.push({ ...base, change: 'added', fields: [], before: null, after: figures(measure) });
      continue;
    }
    const fields = changedFields(old, measure);
    if (fields.length > 0)
      changes.push({ ...base, change: 'changed', fields, before: figures(old), after: figures(measure) });
  }
  for (const [key, measure] of previous) {
    if (!current.has(key)) {
      changes.push({
        measureId: measure.measureId,
        breakdown: measure.breakdown,
        periodId: measure.period.id,
        change: 'removed',
        fields: [],
        before: figures(measure),
        after: null,
      });
    }
  }
  return changes;
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
  const now = deps.now ?? (() => new Date());
  const trendThresholds = deps.trendThresholds ?? DEFAULT_TREND_THRESHOLDS;
  const nearlyMet = deps.nearlyMet ?? DEFAULT_NEARLY_MET_RULE;
  const result = await deps.db.transaction().execute(async (trx) => {
    await lockForceForPublication(trx, forceId);
    await lockSnapshotKey(trx, forceId, asOf);
    // The period sums group some 35,000 (window, force, metric, dimension) keys out of 175,000
    // rows for three years of one force: about 9 MB of hash table, which the default 4 MB
    // work_mem spills to disk in batches (measured: 470 ms against 150 in memory).
    await setTransactionWorkMem(trx, 64);
    const inputs = await loadSnapshotInputs(trx, forceId, asOf, deps.timeZone);
    const computed = computeSnapshotMeasures(inputs.computation, {
      disclosure: deps.disclosure,
      trendThresholds,
      nearlyMet,
    });
    const { measures, report } = applyDisclosureControl(computed, deps.disclosure);
    const contentHash = sha256Hex(canonicalJson(measures));
    const head = await findSnapshotHead(trx, forceId, asOf);
    const unchanged = async (headId: string) => {
      await clearSnapshotHeadStale(trx, forceId, asOf);
      return { created: false, document: await readSnapshotDocument(trx, headId, 'its snapshot head') };
    };
    if (head && head.contentHash === contentHash) return unchanged(head.snapshotId);
    // Release control: a first revision whose pre-announced release is still to come has been
    // seen by nobody but the pre-release list, so late events change it in place, without a
    // revision (operations.md, "Release control"); once released, the revisions policy applies.
    const release = await readRelease(trx, forceId, asOf);
    const replaceEmbargoed =
      head !== undefined &&
      head.revision === 1 &&
      release !== undefined &&
      release.releaseAt.getTime() > now().getTime();
    let revisionOf: RevisionInfo | null = null;
    let published = measures;
    if (head && !replaceEmbargoed) {
      const previous = await readSnapshotDocument(trx, head.snapshotId, 'its snapshot head');
      const changes = diffMeasures(previous.measures, measures);
      // The same entries in another order (a code change): nothing anyone reads has changed.
      if (changes.length === 0) return unchanged(head.snapshotId);
      const changed = new Set(
        changes
          .filter((change) => change.change !== 'removed')
          .map((change) => `${change.measureId}|${change.periodId}|${JSON.stringify(change.breakdown)}`),
      );
      published = measures.map((measure) =>
        changed.has(`${measure.measureId}|${measure.period.id}|${JSON.stringify(measure.breakdown)}`)
          ? { ...measure, flags: [...measure.flags, REVISION_MARK] }
          : measure,
      );
      const referenceDataChanged = previous.referenceVersion !== inputs.referenceVersion;
      const populationVintageChanged = previous.populationVintage !== inputs.populationVintage;
      const otherForcesData = changes.some(
        (change) => change.change === 'changed' && change.fields.every((field) => COMPARISON_FIELDS.has(field)),
      );
      const editionName = (edition: PublishedEditionInput) => `${edition.source} edition ${edition.edition}`;
      const previousEditions = new Set((previous.inputs.published ?? []).map(editionName));
      const publishedEditions = inputs.publishedEditions.map(editionName).filter((name) => !previousEditions.has(name));
      revisionOf = {
        supersedes: head.snapshotId,
        previousRevision: head.revision,
        reasons: {
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
        },
        changes,
      };
    }
    const revision = replaceEmbargoed ? 1 : (head?.revision ?? 0) + 1;
    const snapshotId = snapshotIdOf(forceId, asOf, revision);
    const document: SnapshotDocument = {
      snapshotId,
      forceId,
      forceName: inputs.forceName,
      asOf,
      generatedAt: now().toISOString(),
      revision,
      supersedes: replaceEmbargoed ? null : (head?.snapshotId ?? null),
      contentHash,
      codeVersion: codeVersion(),
      referenceVersion: inputs.referenceVersion,
      populationVintage: inputs.populationVintage,
      timeZone: deps.timeZone,
      rules: {
        disclosure: {
          maxSuppressedCount: deps.disclosure.maxSuppressedCount,
          description: `counts from 1 to ${deps.disclosure.maxSuppressedCount} suppressed [c], with secondary suppression where totals would reveal them; zero is not suppressed (${report.primary} primary, ${report.secondary} secondary in this snapshot)`,
        },
        trend: trendRule(trendThresholds),
        targetStatus:
          nearlyMet === 'interval-reaches-target'
            ? 'met when the value meets the target; nearly met (amber) when it misses but its 95% confidence interval reaches the target; otherwise not met'
            : 'met when the value meets the target; otherwise not met',
        msg: {
          similarWithinPercent: DEFAULT_SIMILAR_WITHIN_PERCENT,
          average:
            'weighted: sum of numerators ÷ sum of denominators of the forces whose own snapshots publish the entry (complete data, not suppressed); the others are listed in leftOut with the reason. No rank or average unless another force of the group has figures',
          similar:
            "within ±5% of the average, or, for shares and rates, the force's own 95% score interval holds the average",
          rankInterval:
            '95% rank interval (Klein, Wright and Wieczorek 2020): Wilson (or Poisson score) intervals at 1 − 0.05/K for the K ranked forces; best rank 1 + the forces surely better, worst rank K − the forces surely worse; on measures whose numerators count events',
        },
        nationalOutliers:
          'unweighted mean ± 1 SD across forces whose own snapshots publish the entry (complete data, not suppressed) or whose published figure is loaded; on logs when the values fail Shapiro–Wilk (α = 0.05) and their logs pass; a share or rate is flagged only when its whole 95% score interval lies outside the band (Spiegelhalter 2005)',
        confidenceIntervals:
          '95%: normal approximation p ± 1.96·√(p(1−p)/n); Wilson interval added when n < 30 or fewer than 5 successes or failures',
      },
      inputs: {
        feeds: inputs.feeds,
        ...(inputs.publishedEditions.length > 0 && { published: inputs.publishedEditions }),
        watermarks: inputs.watermarks,
      },
      periods: inputs.computation.periods,
      revisionOf,
      measures: published,
    };
    const stored = {
      snapshotId,
      forceId,
      asOf,
      revision,
      supersedes: document.supersedes,
      contentHash,
      generatedAt: new Date(document.generatedAt),
      document,
    };
    if (replaceEmbargoed) await replaceEmbargoedSnapshot(trx, stored, now());
    else await insertSnapshot(trx, stored);
    await enqueueSnapshotDelivery(trx, { snapshotId, forceId, asOf });
    return { created: true, document };
  });

  const { document, created } = result;
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
  const files: SnapshotFilePaths | null = delivery?.files ?? null;
  return { forceId, asOf, snapshotId: document.snapshotId, revision: document.revision, created, document, files };
}
