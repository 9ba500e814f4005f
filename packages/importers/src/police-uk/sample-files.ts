import { fileURLToPath } from 'node:url';

/**
 * Real data.police.uk files kept in the repository (Avon and Somerset, unmodified, Open
 * Government Licence v3): the demo puts one through the importer, and tests read them.
 */
export const POLICE_UK_SAMPLE_MONTHS = ['2019-01', '2024-01'] as const;
export type PoliceUkSampleMonth = (typeof POLICE_UK_SAMPLE_MONTHS)[number];

/** The path of the sample file for `month`, found beside this source file (or its bundle). */
export function policeUkSampleFile(month: PoliceUkSampleMonth): string {
  return fileURLToPath(new URL(`../../data/police-uk/${month}-avon-and-somerset-stop-and-search.csv`, import.meta.url));
}
