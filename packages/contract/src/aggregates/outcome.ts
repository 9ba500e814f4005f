import { SEARCH_OUTCOMES, type SearchOutcome } from './stop-search-vocabulary.ts';

/**
 * A small, stable outcome vocabulary, used in measure ids (`stopsearch.outcome_rate.<outcome>`).
 * data.police.uk has written stop-and-search outcomes two ways:
 *
 * - the older wording (files up to about 2016), 8 values: `Suspect arrested`, `Nothing found - no
 *   further action`, `Local resolution`, `Offender cautioned`, `Offender given drugs possession
 *   warning`, `Offender given penalty notice`, `Suspect summonsed to court`, `Article found -
 *   Detailed outcome unavailable`; the complete list appears as the outcome filter of a client over
 *   older London stop-and-search files, and in analysis code that tabulates older files;
 * - the Home Office "Best Use of Stop and Search" wording (the API's `outcome_object` ids are
 *   prefixed `bu-`, e.g. `{ id: 'bu-no-further-action', name: 'A no further action disposal' }`):
 *   `Arrest`, `A no further action disposal`, `Community resolution`, `Khat or Cannabis warning`,
 *   `Caution (simple or conditional)`, `Penalty Notice for Disorder`, `Summons / charged by post`;
 *   both fixture files (2019-01 and 2024-01) use it.
 *
 * Analysis code over many years of files (found with code search over public repositories) lists
 * both wordings side by side and pairs them as here (`Offender given penalty notice` with
 * `Penalty Notice for Disorder`, `Suspect summonsed to court` with `Summons / charged by post`,
 * ...), and adds one more value, `Suspected psychoactive substances seized - No further action`
 * (after the Psychoactive Substances Act 2016).
 */
export const OUTCOMES = SEARCH_OUTCOMES;
export type Outcome = SearchOutcome;

export interface OutcomeResult {
  readonly outcome: Outcome;
  /** The source string when it matched no known wording (outcome `other`), to be reported. */
  readonly unrecognised?: string;
}

/** Every wording seen, lowercased with single spaces, and the outcome it means. */
export const OUTCOME_WORDINGS: Readonly<Record<string, Exclude<Outcome, 'not-recorded' | 'other'>>> = {
  arrest: 'arrest',
  'suspect arrested': 'arrest',

  'a no further action disposal': 'no-further-action',
  'nothing found - no further action': 'no-further-action',
  // Something was seized, but the disposal is still "no further action"; whether the find
  // matched the object of the search is in `outcomeLinkedToObject`, not in the outcome.
  'suspected psychoactive substances seized - no further action': 'no-further-action',

  'community resolution': 'community-resolution',
  // "Local resolution" is the older name for the same informal, non-statutory disposal (the
  // older crime-outcome lists use it the same way); the two are one series over time.
  'local resolution': 'community-resolution',

  'khat or cannabis warning': 'drugs-warning',
  'offender given drugs possession warning': 'drugs-warning',

  'penalty notice for disorder': 'penalty-notice',
  'offender given penalty notice': 'penalty-notice',

  'caution (simple or conditional)': 'caution',
  'offender cautioned': 'caution',

  'summons / charged by post': 'summons',
  'suspect summonsed to court': 'summons',

  // Only in the older wording: something was found, and the force did not say what followed.
  'article found - detailed outcome unavailable': 'article-found',
};

// Capitalisation and spacing have varied between forces and years ("Penalty Notice for Disorder"
// vs "penalty notice for disorder" in lowercased extracts); neither carries meaning.
const fold = (value: string): string => value.trim().replace(/\s+/g, ' ').toLowerCase();

/** The stable outcome of a published outcome string; blank means not recorded. */
export function normaliseOutcome(raw: string | null | undefined): OutcomeResult {
  const folded = fold(raw ?? '');
  if (folded === '') return { outcome: 'not-recorded' };
  const outcome = OUTCOME_WORDINGS[folded];
  return outcome === undefined ? { outcome: 'other', unrecognised: (raw ?? '').trim() } : { outcome };
}
