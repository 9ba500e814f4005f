import { z } from 'zod';

/**
 * 23 hours, the shortest London day (the spring DST change): with no attendance time longer, an
 * incident not attended can be still within its time at the end of a day only if it was graded
 * that day, which is what lets the daily aggregates tell "not yet due" from "overdue" as at any
 * day's end (`incidents.unattended_at_day_end` holds one day).
 */
export const MAX_ATTENDANCE_TARGET_MINUTES = 23 * 60;

const minutes = z
  .number()
  .int()
  .positive()
  .max(
    MAX_ATTENDANCE_TARGET_MINUTES,
    `an attendance time is at most ${MAX_ATTENDANCE_TARGET_MINUTES} minutes (23 hours, the shortest London day)`,
  );

export const ForceSettings = z.strictObject({
  /** Share of 999 calls to answer within 10 seconds (the national standard is 90%). */
  calls999AnsweredWithin10sTarget: z.number().min(0).max(1),
  /** Benchmark share of 101 calls abandoned (measures.md: under 5%). */
  calls101AbandonedRateBenchmark: z.number().min(0).max(1),
  /** 101 calls abandoned sooner than this many seconds after presentation are not counted as abandoned. */
  abandonMinWaitSeconds: z.number().int().min(0),
  /** The force's published attendance times, per grade and area. Grades without one are not measured. */
  attendanceTargetMinutes: z.record(z.string(), z.strictObject({ urban: minutes, rural: minutes })),
  /**
   * Extra periods published in snapshots from their last day for one year, such as an
   * inspection's data window. Part of reference data (not a command-line option) so that a snapshot's content
   * depends only on its inputs.
   */
  reportingPeriods: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[a-z0-9-]+$/),
        label: z.string().min(1),
        from: z.iso.date(),
        to: z.iso.date(),
      }),
    )
    .default([]),
});
export type ForceSettings = z.infer<typeof ForceSettings>;

const SettingsFile = z.object({
  defaults: ForceSettings,
  forces: z.record(z.string(), z.record(z.string(), z.unknown())),
});

const describeIssues = (error: z.ZodError): string =>
  error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');

/** Resolves each force's settings: the defaults overridden field by field. */
export function parseForceSettings(json: unknown, forceIds: readonly string[]): Map<string, ForceSettings> {
  const parsed = SettingsFile.safeParse(json);
  if (!parsed.success) throw new Error(`force-settings.json: ${describeIssues(parsed.error)}`);
  const file = parsed.data;
  const unknown = Object.keys(file.forces).filter((forceId) => !forceIds.includes(forceId));
  if (unknown.length > 0) throw new Error(`force-settings.json: unknown forces ${unknown.join(', ')}`);
  return new Map(
    forceIds.map((forceId) => {
      const { $comment: _comment, ...overrides } = file.forces[forceId] ?? {};
      const merged = ForceSettings.safeParse({ ...file.defaults, ...overrides });
      if (!merged.success) throw new Error(`force-settings.json: ${forceId}: ${describeIssues(merged.error)}`);
      return [forceId, merged.data];
    }),
  );
}
