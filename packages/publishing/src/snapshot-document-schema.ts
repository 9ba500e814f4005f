import { z } from 'zod';
import type { SnapshotDocument } from './snapshot-document.ts';

/*
 * The snapshot document as zod reads it back from storage (`snapshots.document`, jsonb). Strict
 * objects everywhere: a field this schema does not know fails the parse by name instead of being
 * dropped, so a document is never served with part of it silently missing. The annotation
 * `z.ZodType<SnapshotDocument>` makes the compiler hold the schema to the TypeScript type, and the
 * round-trip test (every entry shape the measures publish, parsed back equal) holds the type to
 * the schema. Fields added to the document over time are optional here, as in the type: older
 * snapshots are immutable and must still parse.
 */

const localDate = z.iso.date();
const nullableNumber = z.number().nullable();
const figures = z.strictObject({ value: nullableNumber, numerator: nullableNumber, denominator: nullableNumber });
const flag = z.enum(['[c]', '[x]', '[z]', '[r]', '[p]']);
const periodKind = z.enum(['month', 'rolling-12m', 'financial-year', 'as-at', 'custom']);

const period = z.strictObject({
  kind: periodKind,
  id: z.string(),
  label: z.string(),
  from: localDate.nullable(),
  to: localDate,
  toDate: z.boolean(),
});

const periodRef = z.strictObject({
  id: z.string(),
  kind: periodKind,
  label: z.string(),
  from: localDate.nullable(),
  to: localDate,
});

const trendRule = z.strictObject({
  comparedWith: z.literal('same measure 12 months earlier'),
  change: z.literal('relative, percent of the earlier value'),
  stablePercent: z.number(),
  strongPercent: z.number(),
  boundaries: z.string(),
});

const trend = z.strictObject({
  label: z.enum(['Stable', 'Moderate increase', 'Moderate reduction', 'Strong increase', 'Strong reduction']),
  changePercent: z.number(),
  rule: trendRule,
});

const proportionInterval = z.strictObject({
  method: z.literal('normal'),
  level: z.literal(0.95),
  lower: z.number(),
  upper: z.number(),
  halfWidth: z.number(),
  wilson: z.strictObject({ lower: z.number(), upper: z.number() }).optional(),
});

const leftOutForce = z.strictObject({
  force: z.string(),
  reason: z.enum(['not available', 'not applicable', 'suppressed']),
});

const msgComparison = z.strictObject({
  rank: z.string().nullable(),
  rankInterval: z
    .strictObject({
      best: z.number(),
      worst: z.number(),
      of: z.number(),
      level: z.literal(0.95),
      method: z.literal('klein-wright-wieczorek-2020'),
      label: z.string(),
    })
    .optional(),
  sources: z.array(z.strictObject({ force: z.string(), source: z.string() })).optional(),
  average: nullableNumber,
  comparison: z.enum(['below', 'similar to', 'higher than']).nullable(),
  similarWithinPercent: z.number(),
  forces: z.array(z.string()),
  leftOut: z.array(leftOutForce),
  flag: z.enum(['[x]', '[z]']).optional(),
  reason: z.string().optional(),
});

const shapiroWilk = z.strictObject({ w: z.number(), pValue: z.number(), n: z.number() }).nullable();

const nationalComparison = z.strictObject({
  flag: z.enum(['well above', 'well below']).nullable(),
  band: z
    .strictObject({
      scale: z.enum(['linear', 'log']),
      mean: z.number(),
      sd: z.number(),
      lower: z.number(),
      upper: z.number(),
      n: z.number(),
      normal: z.boolean(),
      normality: z.strictObject({ alpha: z.number(), linear: shapiroWilk, log: shapiroWilk }),
    })
    .nullable(),
  leftOut: z.array(leftOutForce).optional(),
});

const reconciliation = z.strictObject({
  source: z.string(),
  edition: z.string(),
  published: figures,
  differenceValue: nullableNumber,
  differenceNumerator: nullableNumber,
  differenceDenominator: nullableNumber,
});

const publishedMeasure = z.strictObject({
  measureId: z.string(),
  breakdown: z.record(z.string(), z.string()).nullable(),
  period: periodRef,
  unit: z.enum(['percent', 'count', 'seconds', 'days', 'per-1000', 'ratio', 'percent-change']),
  direction: z.enum(['higher-is-better', 'lower-is-better', 'neither']),
  value: nullableNumber,
  numerator: nullableNumber,
  denominator: nullableNumber,
  ci: proportionInterval.nullable().optional(),
  target: z.number().optional(),
  status: z.enum(['met', 'nearly met', 'not met']).optional(),
  trend: trend.nullable().optional(),
  msg: msgComparison.optional(),
  national: nationalComparison.optional(),
  reconciliation: z.array(reconciliation).optional(),
  flags: z.array(flag),
  missingMonths: z.array(z.string()).optional(),
  extra: z.record(z.string(), z.union([z.number(), z.string(), z.null()])).optional(),
  notes: z.array(z.string()).optional(),
  suppressed: z.literal('[c]').optional(),
});

const measureChange = z.strictObject({
  measureId: z.string(),
  breakdown: z.record(z.string(), z.string()).nullable(),
  periodId: z.string(),
  change: z.enum(['changed', 'added', 'removed']),
  fields: z.array(z.string()),
  before: figures.nullable(),
  after: figures.nullable(),
});

const publishedEdition = z.strictObject({
  source: z.string(),
  edition: z.string(),
  file: z.string(),
  figures: z.number(),
});

export const SnapshotDocumentSchema: z.ZodType<SnapshotDocument> = z.strictObject({
  snapshotId: z.string(),
  forceId: z.string(),
  forceName: z.string(),
  asOf: localDate,
  generatedAt: z.string(),
  revision: z.number().int().positive(),
  supersedes: z.string().nullable(),
  contentHash: z.string(),
  codeVersion: z.string(),
  referenceVersion: z.string(),
  populationVintage: z.string(),
  timeZone: z.string(),
  rules: z.strictObject({
    disclosure: z.strictObject({ maxSuppressedCount: z.number(), description: z.string() }),
    trend: trendRule,
    targetStatus: z.string().optional(),
    msg: z.strictObject({
      similarWithinPercent: z.number(),
      average: z.string(),
      similar: z.string().optional(),
      rankInterval: z.string().optional(),
    }),
    nationalOutliers: z.string(),
    confidenceIntervals: z.string(),
  }),
  inputs: z.strictObject({
    feeds: z.record(z.string(), z.strictObject({ events: z.number(), latestOccurredAt: z.string().nullable() })),
    published: z.array(publishedEdition).optional(),
    watermarks: z
      .record(z.string(), z.strictObject({ storedEvents: z.number(), lastIngestAt: z.string().nullable() }))
      .optional(),
  }),
  periods: z.array(period),
  revisionOf: z
    .strictObject({
      supersedes: z.string(),
      previousRevision: z.number(),
      reasons: z.strictObject({
        lateEvents: z.number(),
        correctedEvents: z.number(),
        referenceDataChanged: z.boolean(),
        populationVintageChanged: z.boolean(),
        otherForcesData: z.boolean(),
        publishedEditions: z.array(z.string()).optional(),
        other: z.boolean(),
      }),
      changes: z.array(measureChange),
    })
    .nullable(),
  measures: z.array(publishedMeasure),
});

/** A stored document that does not parse: which snapshot, and every field that is wrong. */
export class StoredSnapshotDocumentError extends Error {
  constructor(snapshotId: string, error: z.ZodError) {
    const fields = error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(document)'}: ${issue.message}`);
    const more = error.issues.length > 5 ? `; and ${error.issues.length - 5} more` : '';
    super(`stored snapshot ${snapshotId} does not parse as a snapshot document: ${fields.join('; ')}${more}`);
    this.name = 'StoredSnapshotDocumentError';
  }
}

/** Parses a stored snapshot document, or throws StoredSnapshotDocumentError naming the snapshot and fields. */
export function parseSnapshotDocument(snapshotId: string, stored: unknown): SnapshotDocument {
  const parsed = SnapshotDocumentSchema.safeParse(stored);
  if (!parsed.success) throw new StoredSnapshotDocumentError(snapshotId, parsed.error);
  return parsed.data;
}
