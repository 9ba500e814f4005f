import type { LocalDate } from '@rollcall/calendar';
import {
  clearSnapshotHeadStale,
  type Db,
  findLatestSnapshot,
  findSnapshot,
  findSnapshotHead,
  insertSnapshot,
  lockForceForPublication,
  lockSnapshotKey,
} from '@rollcall/db';
import type { Logger } from '@rollcall/logger';
import {
  applyDisclosureControl,
  computeSnapshotMeasures,
  DEFAULT_SIMILAR_WITHIN_PERCENT,
  type DisclosureRule,
  type PublishedMeasure,
  trendRule,
} from '@rollcall/measures';
import { type QueueFactory, SNAPSHOTS_PUBLISHED_QUEUE } from '@rollcall/queue';
import { canonicalJson, codeVersion, sha256Hex } from '@rollcall/runtime';
import { loadSnapshotInputs } from './load-snapshot-inputs.ts';
import type { MeasureChange, RevisionInfo, SnapshotDocument } from './snapshot-document.ts';
import { type SnapshotFilePaths, snapshotFilesExist, writeSnapshotFiles } from './snapshot-files.ts';

export interface PublishDeps {
  readonly db: Db;
  /** Announces each new snapshot on `snapshots.published`; omitted in tests that do not need it. */
  readonly queues?: QueueFactory;
  /** Where JSON and CSV files go (SNAPSHOT_DIR); null to write none. */
  readonly snapshotDir: string | null;
  readonly disclosure: DisclosureRule;
  readonly timeZone: string;
  readonly log: Logger;
  readonly now?: () => Date;
}

export interface PublishOutcome {
  readonly forceId: string;
  readonly asOf: string;
  readonly snapshotId: string;
  readonly revision: number;
  /** False when the inputs had not changed and the published snapshot stands. */
  readonly created: boolean;
  readonly document: SnapshotDocument;
  readonly files: SnapshotFilePaths | null;
}

export const snapshotIdOf = (forceId: string, asOf: string, revision: number): string => `${forceId}_${asOf}_r${revision}`;

const entryKey = (measure: PublishedMeasure): string =>
  `${measure.measureId}|${measure.period.id}|${
    measure.breakdown === null
      ? ''
      : Object.keys(measure.breakdown)
          .sort()
          .map((key) => `${key}=${measure.breakdown![key]}`)
          .join(';')
  }`;

const figures = (measure: PublishedMeasure) => ({ value: measure.value, numerator: measure.numerator, denominator: measure.denominator });

/** Entries whose published figures differ between two revisions, and entries added or removed. */
export function diffMeasures(before: readonly PublishedMeasure[], after: readonly PublishedMeasure[]): MeasureChange[] {
  const previous = new Map(before.map((measure) => [entryKey(measure), measure]));
  const current = new Map(after.map((measure) => [entryKey(measure), measure]));
  const changes: MeasureChange[] = [];
  for (const [key, measure] of current) {
    const old = previous.get(key);
    const base = { measureId: measure.measureId, breakdown: measure.breakdown, periodId: measure.period.id };
    if (!old) changes.push({ ...base, change: 'added', before: null, after: figures(measure) });
    else if (canonicalJson(figures(old)) !== canonicalJson(figures(measure)) || old.suppressed !== measure.suppressed) {
      changes.push({ ...base, change: 'changed', before: figures(old), after: figures(measure) });
    }
  }
  for (const [key, measure] of previous) {
    if (!current.has(key)) {
      changes.push({ measureId: measure.measureId, breakdown: measure.breakdown, periodId: measure.period.id, change: 'removed', before: figures(measure), after: null });
    }
  }
  return changes;
}

/**
 * Computes and publishes the snapshot of one force for one date: the nightly run and
 * `rollcall snapshot` both come here.
 *
 * It runs in one transaction holding the force's publication lock, which ingest transactions of
 * the force take in shared mode: none can commit between reading the inputs and recording the
 * head, so an event that arrives later is certain to find the head and mark it stale. The content hash covers the measures
 * only (before [r] marks), so publishing unchanged inputs again creates nothing; changed inputs
 * create the next revision, superseding the last, with its changes and reasons.
 *
 * Files and the `snapshots.published` message follow the commit. If the process dies in between,
 * the next publication of the same date finds the snapshot unchanged, sees its files missing,
 * and writes them (and the message) then.
 */
export async function publishSnapshot(deps: PublishDeps, forceId: string, asOf: LocalDate): Promise<PublishOutcome> {
  const now = deps.now ?? (() => new Date());
  const result = await deps.db.transaction().execute(async (trx) => {
    await lockForceForPublication(trx, forceId);
    await lockSnapshotKey(trx, forceId, asOf);
    const inputs = await loadSnapshotInputs(trx, forceId, asOf, deps.timeZone);
    const computed = computeSnapshotMeasures(inputs.computation);
    const { measures, report } = applyDisclosureControl(computed, deps.disclosure);
    const contentHash = sha256Hex(canonicalJson(measures));
    const head = await findSnapshotHead(trx, forceId, asOf);
    if (head && head.contentHash === contentHash) {
      await clearSnapshotHeadStale(trx, forceId, asOf);
      const existing = await findSnapshot(trx, head.snapshotId);
      return { created: false, document: existing!.document as unknown as SnapshotDocument };
    }
    const revision = (head?.revision ?? 0) + 1;
    const snapshotId = snapshotIdOf(forceId, asOf, revision);
    let revisionOf: RevisionInfo | null = null;
    let published = measures;
    if (head) {
      const previous = (await findSnapshot(trx, head.snapshotId))!.document as unknown as SnapshotDocument;
      const changes = diffMeasures(previous.measures, measures);
      const changed = new Set(changes.filter((change) => change.change !== 'removed').map((change) => `${change.measureId}|${change.periodId}|${JSON.stringify(change.breakdown)}`));
      published = measures.map((measure) =>
        changed.has(`${measure.measureId}|${measure.period.id}|${JSON.stringify(measure.breakdown)}`) ? { ...measure, flags: [...measure.flags, '[r]'] } : measure,
      );
      const referenceDataChanged = previous.referenceVersion !== inputs.referenceVersion;
      const populationVintageChanged = previous.populationVintage !== inputs.populationVintage;
      revisionOf = {
        supersedes: head.snapshotId,
        previousRevision: head.revision,
        reasons: {
          lateEvents: head.staleLateEvents,
          correctedEvents: head.staleCorrectedEvents,
          referenceDataChanged,
          populationVintageChanged,
          other: head.staleLateEvents === 0 && head.staleCorrectedEvents === 0 && !referenceDataChanged && !populationVintageChanged,
        },
        changes,
      };
    }
    const document: SnapshotDocument = {
      snapshotId,
      forceId,
      forceName: inputs.forceName,
      asOf,
      generatedAt: now().toISOString(),
      revision,
      supersedes: head?.snapshotId ?? null,
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
        trend: trendRule(),
        msg: { similarWithinPercent: DEFAULT_SIMILAR_WITHIN_PERCENT, average: 'weighted: sum of numerators ÷ sum of denominators of the forces with complete data' },
        nationalOutliers: 'unweighted mean ± 1 SD across forces with data; on logs when the values fail Shapiro–Wilk (α = 0.05) and their logs pass',
        confidenceIntervals: '95%: normal approximation p ± 1.96·√(p(1−p)/n); Wilson interval added when n < 30 or fewer than 5 successes or failures',
      },
      inputs: { feeds: inputs.feeds },
      periods: inputs.computation.periods,
      revisionOf,
      measures: published,
    };
    await insertSnapshot(trx, {
      snapshotId,
      forceId,
      asOf,
      revision,
      supersedes: document.supersedes,
      contentHash,
      generatedAt: new Date(document.generatedAt),
      document: document as unknown as Record<string, unknown>,
    });
    return { created: true, document };
  });

  const { document, created } = result;
  let files: SnapshotFilePaths | null = null;
  const filesMissing = deps.snapshotDir !== null && !(await snapshotFilesExist(deps.snapshotDir, document));
  if (deps.snapshotDir !== null && (created || filesMissing)) {
    const latest = await findLatestSnapshot(deps.db, forceId);
    files = await writeSnapshotFiles(deps.snapshotDir, document, latest?.snapshotId === document.snapshotId);
  }
  if (deps.queues && (created || filesMissing)) {
    await deps.queues.add(
      'snapshot.published',
      SNAPSHOTS_PUBLISHED_QUEUE,
      {
        snapshotId: document.snapshotId,
        forceId,
        asOf,
        revision: document.revision,
        supersedes: document.supersedes,
        contentHash: document.contentHash,
        generatedAt: document.generatedAt,
        file: files?.json ?? null,
      },
      { jobId: document.snapshotId },
    );
  }
  deps.log.info(
    { forceId, asOf, snapshotId: document.snapshotId, revision: document.revision, created, measures: document.measures.length },
    created ? 'snapshot published' : 'snapshot unchanged',
  );
  return { forceId, asOf, snapshotId: document.snapshotId, revision: document.revision, created, document, files };
}
