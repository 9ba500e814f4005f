/**
 * The dimension values of the stop-search aggregates, in one place: the data.police.uk importer
 * and the lifecycles write them, the measures read them and name measures after them
 * (`stopsearch.disproportionality.<group>`, `stopsearch.outcome_rate.<outcome>`).
 */

/** The census groups searches are compared with White in. */
export const NON_WHITE_GROUPS = ['asian', 'black', 'mixed', 'other'] as const;
export type NonWhiteGroup = (typeof NON_WHITE_GROUPS)[number];

/** The five high-level groups of the 2011 Census, and `not-recorded` (no usable ethnicity). */
export const ETHNIC_GROUPS = [...NON_WHITE_GROUPS, 'white', 'not-recorded'] as const;
export type EthnicGroup = (typeof ETHNIC_GROUPS)[number];

/** Normalised search outcomes: each stands for the wordings data.police.uk has used over the years. */
export const SEARCH_OUTCOMES = [
  'arrest',
  'no-further-action',
  'community-resolution',
  'drugs-warning',
  'penalty-notice',
  'caution',
  'summons',
  'article-found',
  'not-recorded',
  'other',
] as const;
export type SearchOutcome = (typeof SEARCH_OUTCOMES)[number];
