import { METRIC } from '@rollcall/contract';
import type { MeasureDefinition, MeasureInput } from '../measure-definition.ts';
import { derivedResult } from '../measure-results.ts';
import { FLOW_PERIOD_KINDS } from '../periods.ts';
import { AVON_AND_SOMERSET_POPULATION } from './measure-input-of.ts';
import { NON_WHITE_GROUPS, type NonWhiteGroup } from '@rollcall/contract';
import { STOPSEARCH_CELLS, searchRows } from './stopsearch-count.ts';

const GROUP_NAMES: Readonly<Record<NonWhiteGroup, { readonly group: string; readonly people: string }>> = {
  asian: { group: 'Asian', people: 'Asian people' },
  black: { group: 'Black', people: 'Black people' },
  mixed: { group: 'Mixed', people: 'people of Mixed ethnicity' },
  other: { group: 'Other', people: 'people of the Other ethnic group' },
};

const ETHNICITY_RULE =
  "A search's ethnic group is the self-defined ethnicity mapped to the five census groups by its prefix (older coded forms included; Chinese counts as Asian, as the 2011 Census counts it); " +
  'where self-defined is missing or "Not stated", the officer-defined ethnicity; searches with neither, or with an unrecognised string, are not recorded and are in no group.';

const RATIO_RULE =
  "Numerator: the group's searches per 1,000 of its population; denominator: White people's searches per 1,000 White residents; value = numerator ÷ denominator (1 means the same rate as White people, 2 twice it). " +
  'Populations: the ethnic groups of the population vintage of the snapshot (2011 Census). No value ([z]) without populations or when no White person was searched. ' +
  'Not compared across forces (a ratio of rates has no weighted average); it reads towards 1, so no direction is given.';

const example = {
  description:
    'Searches in 12 months in Avon and Somerset: White 4,800, Asian 180, Black 420, Mixed 160, Other 40, not recorded 800; 2011 Census: White 1,491,970, Asian 41,981, Black 30,923, Mixed 28,277, Other 6,404.',
  aggregates: searchRows({ white: 4_800, asian: 180, black: 420, mixed: 160, other: 40, 'not-recorded': 800 }),
  population: AVON_AND_SOMERSET_POPULATION,
};

/** Searches per 1,000 of the groups' population, against White people's; null without populations. */
function disproportionality({ aggregates, population }: MeasureInput, groups: readonly NonWhiteGroup[]) {
  const searchesOf = (group: string) => aggregates.get(METRIC.searchesByEthnicGroup, group);
  const searches = groups.reduce((sum, group) => sum + searchesOf(group), 0);
  const white = searchesOf('white');
  const cells = Object.fromEntries(
    [...groups, 'white'].map((group) => [`${STOPSEARCH_CELLS.ethnicGroupPrefix}${group}`, searchesOf(group)]),
  );
  const groupPopulation = population ? groups.reduce((sum, group) => sum + population.groups[group], 0) : 0;
  const whitePopulation = population?.groups.white ?? 0;
  if (groupPopulation <= 0 || whitePopulation <= 0) return [derivedResult(null, null, null, cells)];
  const rate = (searches / groupPopulation) * 1_000;
  const whiteRate = (white / whitePopulation) * 1_000;
  return [
    derivedResult(white > 0 ? (searches * whitePopulation) / (groupPopulation * white) : null, rate, whiteRate, cells),
  ];
}

const groupDefinition = (group: NonWhiteGroup): MeasureDefinition => ({
  id: `stopsearch.disproportionality.${group}`,
  title: `Disproportionality of stop and search: ${GROUP_NAMES[group].people}`,
  feed: 'stop-search',
  unit: 'ratio',
  direction: 'neither',
  definition: `(Searches in the period of ${GROUP_NAMES[group].people} ÷ the ${GROUP_NAMES[group].group} population) ÷ (searches in the period of White people ÷ the White population). ${ETHNICITY_RULE} ${RATIO_RULE}`,
  source: 'The PCC\'s performance report, "Disproportionality of Stop Search".',
  periods: FLOW_PERIOD_KINDS,
  additiveGroups: [{ total: STOPSEARCH_CELLS.searches, partsPrefix: STOPSEARCH_CELLS.ethnicGroupPrefix }],
  example,
  compute: (input) => disproportionality(input, [group]),
});

export const stopsearchDisproportionalityOtherThanWhite: MeasureDefinition = {
  id: 'stopsearch.disproportionality.other_than_white',
  title: 'Disproportionality of stop and search: people other than White',
  feed: 'stop-search',
  unit: 'ratio',
  direction: 'neither',
  definition:
    '(Searches in the period of Asian, Black, Mixed and Other people together ÷ their population together) ÷ (searches in the period of White people ÷ White population). ' +
    `Searches with no ethnicity recorded are in neither group. ${ETHNICITY_RULE} ${RATIO_RULE}`,
  source: 'The PCC\'s performance report, "Disproportionality of Stop Search" (Other than White).',
  periods: FLOW_PERIOD_KINDS,
  additiveGroups: [{ total: STOPSEARCH_CELLS.searches, partsPrefix: STOPSEARCH_CELLS.ethnicGroupPrefix }],
  example,
  compute: (input) => disproportionality(input, NON_WHITE_GROUPS),
};

/** One ratio per group compared with White, then all groups other than White together. */
export const stopsearchDisproportionality: readonly MeasureDefinition[] = [
  ...NON_WHITE_GROUPS.map(groupDefinition),
  stopsearchDisproportionalityOtherThanWhite,
];
