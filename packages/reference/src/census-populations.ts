import { z } from 'zod';
import type { Force } from './forces.ts';

/** The five high-level ethnic groups of the 2011 Census, as measures.md uses them. */
export const POPULATION_GROUPS = ['asian', 'black', 'mixed', 'other', 'white'] as const;
export type PopulationGroup = (typeof POPULATION_GROUPS)[number];

export interface Population {
  readonly forceId: string;
  /** Named vintage of the figures, part of every snapshot (changing it is a revision). */
  readonly vintage: string;
  readonly residents: number;
  readonly groups: Readonly<Record<PopulationGroup, number>>;
}

const headcount = z.number().int().min(0);

/** A force's residents per group, as stored (`populations.groups`) and read back. */
export const PopulationGroups = z.strictObject({
  asian: headcount,
  black: headcount,
  mixed: headcount,
  other: headcount,
  white: headcount,
});

export const CENSUS_2011_VINTAGE = 'census-2011';

/** Column headers of the ONS table for the totals this pipeline uses. */
const COLUMNS: Record<'residents' | PopulationGroup, string> = {
  residents: 'Ethnic Group: All categories: Ethnic group; measures: Value',
  white: 'Ethnic Group: White; measures: Value',
  mixed: 'Ethnic Group: Mixed; measures: Value',
  // The census "Asian" total includes Chinese people, as stop-search ethnicity mapping does.
  asian: 'Ethnic Group: Asian; measures: Value',
  black: 'Ethnic Group: Black; measures: Value',
  other: 'Ethnic Group: Other; measures: Value',
};

/**
 * Parses the ONS 2011 Census table of usual residents by ethnic group per police force area and
 * maps the ONS area names to force slugs. The file has no quoted fields (checked by the column
 * count of every row), so a plain split is exact.
 */
export function parseCensusPopulations(
  csv: string,
  forces: readonly Force[],
  vintage = CENSUS_2011_VINTAGE,
): Population[] {
  const lines = csv.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = (lines[0] ?? '').split(',');
  const index = Object.fromEntries(
    Object.entries(COLUMNS).map(([key, column]) => {
      const at = header.indexOf(column);
      if (at < 0) throw new Error(`census file: missing column "${column}"`);
      return [key, at];
    }),
  ) as Record<keyof typeof COLUMNS, number>;
  const forceByOnsName = new Map(forces.map((force) => [force.onsName, force]));
  const populations = lines.slice(1).map((line, row) => {
    const cells = line.split(',');
    if (cells.length !== header.length) {
      throw new Error(`census file line ${row + 2}: ${cells.length} columns, expected ${header.length}`);
    }
    const onsName = cells[0] ?? '';
    const force = forceByOnsName.get(onsName);
    if (!force) throw new Error(`census file line ${row + 2}: no force has the ONS name "${onsName}"`);
    const number = (key: keyof typeof COLUMNS): number => {
      const value = Number(cells[index[key]]);
      if (!Number.isInteger(value) || value < 0) throw new Error(`census file line ${row + 2}: ${key} is not a count`);
      return value;
    };
    const groups = {
      asian: number('asian'),
      black: number('black'),
      mixed: number('mixed'),
      other: number('other'),
      white: number('white'),
    };
    const residents = number('residents');
    const sum = POPULATION_GROUPS.reduce((total, group) => total + groups[group], 0);
    if (sum !== residents) throw new Error(`census file line ${row + 2}: groups sum to ${sum}, residents ${residents}`);
    return { forceId: force.forceId, vintage, residents, groups };
  });
  const missing = forces.filter((force) => !populations.some((population) => population.forceId === force.forceId));
  if (missing.length > 0)
    throw new Error(`census file: no row for ${missing.map((force) => force.forceId).join(', ')}`);
  return populations;
}
