import { z } from 'zod';
import { eventSchema, Instant, nullable, Ref } from './envelope.ts';

export const SEARCH_TYPES = ['Person search', 'Vehicle search', 'Person and Vehicle search'] as const;
export type SearchType = (typeof SEARCH_TYPES)[number];

const text = z.string().max(500);

/**
 * The fields of a data.police.uk stop-and-search record, values as data.police.uk publishes them.
 * Nullable fields may also be left out; both mean "not recorded".
 */
export const stopSearchFields = {
  searchType: z.enum(SEARCH_TYPES),
  legislation: nullable(text),
  objectOfSearch: nullable(text),
  outcome: nullable(text),
  outcomeLinkedToObject: nullable(z.boolean()),
  gender: nullable(text),
  ageRange: nullable(text),
  selfDefinedEthnicity: nullable(text),
  officerDefinedEthnicity: nullable(text),
  latitude: nullable(z.number().min(-90).max(90)),
  longitude: nullable(z.number().min(-180).max(180)),
  removalOfMoreThanOuterClothing: nullable(z.boolean()),
};

export type StopSearchFieldName = keyof typeof stopSearchFields;
export const STOP_SEARCH_FIELD_NAMES = Object.keys(stopSearchFields) as StopSearchFieldName[];

export const StopSearchRecorded = eventSchema(
  'stop-search',
  'stop-search.recorded',
  z.looseObject({ recordId: Ref, ...stopSearchFields }),
);
export type StopSearchRecorded = z.infer<typeof StopSearchRecorded>;

/**
 * What a correction may carry besides the record's fields (an extension of feeds.md, used by the
 * data.police.uk importer): `searchedAt`, a corrected time of the search, which moves it to that
 * day; `withdrawn: true`, the record is gone from the latest edition and counts nothing
 * (`false` restores it).
 */
export const stopSearchCorrectionFields = {
  searchedAt: nullable(Instant),
  withdrawn: nullable(z.boolean()),
};
const AMENDABLE_FIELD_NAMES = [...STOP_SEARCH_FIELD_NAMES, ...Object.keys(stopSearchCorrectionFields)];

/** A correction: any of the record's fields, which replace earlier values. */
export const StopSearchAmended = eventSchema(
  'stop-search',
  'stop-search.amended',
  z
    .looseObject({ recordId: Ref, ...z.object(stopSearchFields).partial().shape, ...stopSearchCorrectionFields })
    .refine((payload) => AMENDABLE_FIELD_NAMES.some((field) => field in payload), {
      message: `must change at least one of ${AMENDABLE_FIELD_NAMES.join(', ')}`,
    }),
);
export type StopSearchAmended = z.infer<typeof StopSearchAmended>;

export const StopSearchGroundsReviewed = eventSchema(
  'stop-search',
  'stop-search.grounds-reviewed',
  z.looseObject({ recordId: Ref, reasonableGroundsRecorded: z.boolean() }),
);
export type StopSearchGroundsReviewed = z.infer<typeof StopSearchGroundsReviewed>;

export const STOP_SEARCH_EVENTS = {
  'stop-search.recorded': StopSearchRecorded,
  'stop-search.amended': StopSearchAmended,
  'stop-search.grounds-reviewed': StopSearchGroundsReviewed,
} as const;

export type StopSearchEvent = StopSearchRecorded | StopSearchAmended | StopSearchGroundsReviewed;
