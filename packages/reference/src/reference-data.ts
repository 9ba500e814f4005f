import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CENSUS_2011_VINTAGE, parseCensusPopulations, type Population } from './census-populations.ts';
import { type ForceSettings, parseForceSettings } from './force-settings.ts';
import { type Force, parseForces } from './forces.ts';

export interface ReferenceData {
  /** Content hash of the reference files: a snapshot records it, and a change is a revision reason. */
  readonly version: string;
  readonly populationVintage: string;
  readonly forces: readonly Force[];
  readonly populations: readonly Population[];
  readonly settings: ReadonlyMap<string, ForceSettings>;
}

const DATA_DIR = fileURLToPath(new URL('../data/', import.meta.url));
export const REFERENCE_FILES = {
  forces: 'forces.json',
  census: 'census-2011-ethnicity-by-police-force-area.csv',
  settings: 'force-settings.json',
} as const;

/** Builds reference data from file contents (tests pass altered contents to exercise changes). */
export function parseReferenceData(files: { forces: string; census: string; settings: string }): ReferenceData {
  const forces = parseForces(JSON.parse(files.forces));
  const populations = parseCensusPopulations(files.census, forces, CENSUS_2011_VINTAGE);
  const settings = parseForceSettings(
    JSON.parse(files.settings),
    forces.map((force) => force.forceId),
  );
  const hash = createHash('sha256');
  for (const name of ['forces', 'census', 'settings'] as const)
    hash.update(name).update('\0').update(files[name]).update('\0');
  return {
    version: `ref-${hash.digest('hex').slice(0, 16)}`,
    populationVintage: CENSUS_2011_VINTAGE,
    forces,
    populations,
    settings,
  };
}

let cached: ReferenceData | undefined;

/** The reference data shipped in this repository (`packages/reference/data`). */
export function loadReferenceData(): ReferenceData {
  cached ??= parseReferenceData({
    forces: readFileSync(`${DATA_DIR}${REFERENCE_FILES.forces}`, 'utf8'),
    census: readFileSync(`${DATA_DIR}${REFERENCE_FILES.census}`, 'utf8'),
    settings: readFileSync(`${DATA_DIR}${REFERENCE_FILES.settings}`, 'utf8'),
  });
  return cached;
}

export function readReferenceFile(name: keyof typeof REFERENCE_FILES): string {
  return readFileSync(`${DATA_DIR}${REFERENCE_FILES[name]}`, 'utf8');
}
