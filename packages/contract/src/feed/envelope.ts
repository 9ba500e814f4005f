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

/**
 * The instants an event may carry: from 1970-01-01 (before the Police National Computer existed,
 * so earlier than any real circulation) to before 2100-01-01, UTC. An instant outside is a
 * clock or keying fault (year 2999, 1800, 0000), refused with its reason rather than counted in
 * a period no one reports on. Fixed rather than relative to receipt, so that the same event gets
 * the same answer whenever it is offered or replayed.
 */
export const OCCURRED_AT_WINDOW = { from: '1970-01-01T00:00:00Z', before: '2100-01-01T00:00:00Z' } as const;
const windowFromMs = Date.parse(OCCURRED_AT_WINDOW.from);
const windowBeforeMs = Date.parse(OCCURRED_AT_WINDOW.before);

/** `Instant`, inside `OCCURRED_AT_WINDOW`. */
export const WindowedInstant = Instant.refine(
  (value) => {
    const ms = Date.parse(value);
    return ms >= windowFromMs && ms < windowBeforeMs;
  },
  { error: `must be from ${OCCURRED_AT_WINDOW.from} to before ${OCCURRED_AT_WINDOW.before}` },
);

/**
 * An upstream key (call, circulation, case, record...): 1 to 128 characters, without U+FFFD.
 * A decoder writes U+FFFD for every byte that is not valid UTF-8 (`u-\xff` and `u-\xfe` both
 * read `u-\ufffd`), so two different ids would become one and an event would be taken for
 * another's duplicate; such an id is refused instead of normalised.
 */
export const Ref = z
  .string()
  .min(1)
  .max(128)
  .refine((value) => !value.includes('\ufffd'), {
    error: 'contains U+FFFD, the mark left by bytes that were not valid UTF-8: distinct ids could read the same',
  });

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
    occurredAt: WindowedInstant,
    schemaVersion: z.literal(SCHEMA_VERSION),
    payload,
  });
}

/** A nullable field that upstream may also leave out; both mean "not recorded". */
export const nullable = <S extends z.ZodType>(schema: S) => schema.nullable().optional();
