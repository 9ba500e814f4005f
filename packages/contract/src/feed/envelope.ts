import { z } from 'zod';

/** The four feeds of feeds.md; each has its own queue `feed.<feed>`. */
export const FEEDS = ['call-handling', 'wanted-persons', 'dvpo', 'stop-search'] as const;
export const Feed = z.enum(FEEDS);
export type Feed = z.infer<typeof Feed>;

/** The only schema version this pipeline reads. Anything else is rejected, never guessed. */
export const SCHEMA_VERSION = 1;

/** An ISO 8601 time with seconds and an explicit offset (`Z` or `±hh:mm`). */
export const Instant = z.iso.datetime({
  offset: true,
  error: 'must be an ISO 8601 time with seconds and an explicit offset (Z or ±hh:mm)',
});

/** An upstream key (call, circulation, case, record...): 1 to 128 characters. */
export const Ref = z.string().min(1).max(128);

/** Home Office force slug as on data.police.uk; whether it exists is checked against reference data. */
export const ForceId = z.string().regex(/^[a-z]+(-[a-z]+)*$/, 'must be a force slug such as avon-and-somerset');

/**
 * The envelope of one event, typed for one `type`. Unknown extra fields, in the envelope or the
 * payload, are kept but ignored (feeds.md), hence loose objects.
 */
export function eventSchema<F extends Feed, T extends string, P extends z.ZodType>(feed: F, type: T, payload: P) {
  return z.looseObject({
    eventId: Ref,
    feed: z.literal(feed),
    type: z.literal(type),
    forceId: ForceId,
    occurredAt: Instant,
    schemaVersion: z.literal(SCHEMA_VERSION),
    payload,
  });
}

/** A nullable field that upstream may also leave out; both mean "not recorded". */
export const nullable = <S extends z.ZodType>(schema: S) => schema.nullable().optional();
