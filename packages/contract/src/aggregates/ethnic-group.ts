/**
 * The five high-level ethnic groups of the 2011 Census (the groups population figures exist for)
 * plus `not-recorded`, as measures.md uses them for search rates and disproportionality.
 */
import type { EthnicGroup } from './stop-search-vocabulary.ts';

export interface EthnicGroupResult {
  readonly group: EthnicGroup;
  /** Which field the group came from; null when neither was usable. */
  readonly source: 'self-defined' | 'officer-defined' | null;
  /** A string that matched no known wording: counted as not recorded and to be reported. */
  readonly unrecognised?: string;
}

type Stated =
  { kind: 'group'; group: Exclude<EthnicGroup, 'not-recorded'> } | { kind: 'not-stated' } | { kind: 'unknown' };

const NOT_STATED: Stated = { kind: 'not-stated' };
const UNKNOWN: Stated = { kind: 'unknown' };
const group = (g: Exclude<EthnicGroup, 'not-recorded'>): Stated => ({ kind: 'group', group: g });

// "Not stated" is written several ways: `Other ethnic group - Not stated` (the 2011 list, files
// since about 2016), `Not Stated (NS)` (the older 16+1 coded list), and plain `Not stated`.
const isNotStated = (text: string): boolean => /^not stated\b/.test(text);

/**
 * Self-defined ethnicity prefixes, lowercased. Two lists have been used on data.police.uk:
 *  - the 2011 Census list (`White - English/Welsh/Scottish/Northern Irish/British`,
 *    `Black/African/Caribbean/Black British - African`, ...), which gained categories over time
 *    (`White - Roma`, `Other ethnic group - Arab`, `White - Gypsy or Irish Traveller`); mapping by
 *    prefix keeps new categories in their group without a code change;
 *  - the older 2001 "16+1" list with codes (`White - White British (W1)`, `Black or Black British -
 *    Caribbean (B1)`, `Asian or Asian British - Indian (A1)`, `Mixed - White and Asian (M3)`,
 *    `Chinese or other ethnic group - Chinese (O1)`, `Not Stated (NS)`), seen in older London
 *    stop-and-search extracts (sometimes with a zero for the letter O: `(01)`, `(09)`).
 */
const PREFIXES: ReadonlyArray<readonly [prefix: string, classify: (rest: string) => Stated]> = [
  ['white - ', () => group('white')],
  ['mixed/multiple ethnic groups - ', () => group('mixed')],
  ['mixed - ', () => group('mixed')],
  ['asian/asian british - ', () => group('asian')],
  ['asian or asian british - ', () => group('asian')],
  ['black/african/caribbean/black british - ', () => group('black')],
  ['black or black british - ', () => group('black')],
  ['other ethnic group - ', (rest) => (isNotStated(rest) ? NOT_STATED : group('other'))],
  // The 2001 list grouped Chinese with "other"; the 2011 Census, whose populations the rates divide
  // by, counts Chinese people under Asian (A&S: Asian 41,981 "including Chinese"), so Chinese (O1)
  // goes to Asian and only "Any other ethnic group (O9)" stays Other.
  [
    'chinese or other ethnic group - ',
    (rest) => (rest.startsWith('chinese') ? group('asian') : isNotStated(rest) ? NOT_STATED : group('other')),
  ],
];

const OFFICER_DEFINED: Readonly<Record<string, Exclude<EthnicGroup, 'not-recorded'>>> = {
  white: 'white',
  black: 'black',
  asian: 'asian',
  other: 'other',
  mixed: 'mixed',
};

// Case and spacing vary between forces and years (`Not Stated (NS)` vs `Not stated`); neither
// carries meaning, so they are folded before matching.
const fold = (value: string): string => value.trim().replace(/\s+/g, ' ').toLowerCase();

function classifySelfDefined(folded: string): Stated {
  if (folded === '' || isNotStated(folded)) return NOT_STATED;
  for (const [prefix, classify] of PREFIXES) {
    if (folded.startsWith(prefix)) return classify(folded.slice(prefix.length));
  }
  return UNKNOWN;
}

/**
 * The ethnic group a search counts under (feeds.md, measures.md): self-defined ethnicity mapped
 * to the five groups; where it is missing or "not stated", the officer-defined ethnicity; where
 * both are missing, `not-recorded`. A self-defined string that matches no known wording is not
 * guessed at and not replaced by the officer's view: it counts as `not-recorded` and comes back
 * in `unrecognised` so the import can report it (never a crash, never silently White).
 */
export function ethnicGroupOf(
  selfDefined: string | null | undefined,
  officerDefined: string | null | undefined,
): EthnicGroupResult {
  const self = fold(selfDefined ?? '');
  const stated = classifySelfDefined(self);
  if (stated.kind === 'group') return { group: stated.group, source: 'self-defined' };
  if (stated.kind === 'unknown')
    return { group: 'not-recorded', source: null, unrecognised: (selfDefined ?? '').trim() };

  const officer = fold(officerDefined ?? '');
  if (officer === '' || isNotStated(officer)) return { group: 'not-recorded', source: null };
  const officerGroup = OFFICER_DEFINED[officer];
  if (officerGroup !== undefined) return { group: officerGroup, source: 'officer-defined' };
  return { group: 'not-recorded', source: null, unrecognised: (officerDefined ?? '').trim() };
}
