import { basename } from 'node:path';
import { ForceId } from '@rollcall/contract';

/** Which force and month a data.police.uk file holds. */
export interface PoliceUkSource {
  readonly forceId: string;
  /** `YYYY-MM`, the month the file was published for. */
  readonly month: string;
}

export type PoliceUkSourceResult =
  { readonly ok: true; readonly source: PoliceUkSource } | { readonly ok: false; readonly error: string };

// data.police.uk's archive names every monthly file `<YYYY-MM>-<force>-stop-and-search.csv`
// (e.g. `2019-01-avon-and-somerset-stop-and-search.csv`), inside a `<YYYY-MM>/` folder.
const FILE_NAME = /^(\d{4}-\d{2})-(.+)-stop-and-search\.csv$/;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

const checkMonth = (month: string, what: string): string | null =>
  MONTH.test(month) ? null : `${what} ${JSON.stringify(month)} is not a month YYYY-MM`;

const checkForce = (forceId: string, what: string): string | null =>
  ForceId.safeParse(forceId).success
    ? null
    : `${what} ${JSON.stringify(forceId)} is not a force slug (lowercase words joined by hyphens, as on data.police.uk)`;

/** Force and month from a file name (a path is fine: only its last part is read). */
export function parsePoliceUkFileName(fileName: string): PoliceUkSourceResult {
  const name = basename(fileName);
  const match = FILE_NAME.exec(name);
  if (!match) {
    return {
      ok: false,
      error: `file name ${JSON.stringify(name)} is not YYYY-MM-<force>-stop-and-search.csv; pass --force and --month`,
    };
  }
  const [, month = '', forceId = ''] = match;
  const problem =
    checkMonth(month, `the month in ${JSON.stringify(name)},`) ??
    checkForce(forceId, `the force in ${JSON.stringify(name)},`);
  return problem === null ? { ok: true, source: { forceId, month } } : { ok: false, error: problem };
}

/**
 * Force and month for an import: `--force` / `--month` win over the file name, so a renamed
 * file can still be imported; each is taken from the file name only when not given.
 */
export function resolvePoliceUkSource(
  fileName: string,
  overrides: { force?: string; month?: string } = {},
): PoliceUkSourceResult {
  const { force, month } = overrides;
  const overrideProblem =
    (force === undefined ? null : checkForce(force, '--force')) ??
    (month === undefined ? null : checkMonth(month, '--month'));
  if (overrideProblem !== null) return { ok: false, error: overrideProblem };
  if (force !== undefined && month !== undefined) return { ok: true, source: { forceId: force, month } };

  const fromName = parsePoliceUkFileName(fileName);
  if (!fromName.ok) return fromName;
  return { ok: true, source: { forceId: force ?? fromName.source.forceId, month: month ?? fromName.source.month } };
}
