/**
 * The 15 columns of a data.police.uk `*-stop-and-search.csv` file, in the order data.police.uk
 * writes them. This order is also the canonical order of a row's values for content hashing, so a
 * file whose columns were reordered (re-saved by hand) still hashes the same.
 */
export const POLICE_UK_COLUMNS = [
  'Type',
  'Date',
  'Part of a policing operation',
  'Policing operation',
  'Latitude',
  'Longitude',
  'Gender',
  'Age range',
  'Self-defined ethnicity',
  'Officer-defined ethnicity',
  'Legislation',
  'Object of search',
  'Outcome',
  'Outcome linked to object of search',
  'Removal of more than just outer clothing',
] as const;
export type PoliceUkColumn = (typeof POLICE_UK_COLUMNS)[number];

/** One data row of the file, as read: every value is the raw, untrimmed text of its cell. */
export interface PoliceUkRow {
  readonly kind: 'row';
  /** Line of the file where the row starts (the header is line 1). */
  readonly line: number;
  /** 1-based position among the file's data rows; the record id is built from it. */
  readonly position: number;
  readonly values: Readonly<Record<PoliceUkColumn, string>>;
}

/** One thing wrong with a row: which column (null for the row as a whole), what was there, why. */
export interface RowProblem {
  readonly column: PoliceUkColumn | null;
  readonly value: string | null;
  readonly reason: string;
}

/**
 * A data row that could not be read or mapped. It keeps its position, so the rows after it keep
 * theirs (and their record ids) whether or not it is fixed in a later edition of the file.
 */
export interface RowRejection {
  readonly kind: 'rejection';
  readonly line: number;
  readonly position: number;
  /** The problems joined into one sentence, for logs and reports. */
  readonly reason: string;
  readonly problems: readonly RowProblem[];
  /**
   * The cells as read, for content hashing and inspection; in canonical column order when the row
   * had the right number of cells, else as they stood in the file (empty when unparseable).
   */
  readonly raw: readonly string[];
}

export function rowRejection(
  where: { line: number; position: number },
  problems: readonly RowProblem[],
  raw: readonly string[],
): RowRejection {
  const reason = problems
    .map(({ column, value, reason }) =>
      column === null ? reason : `${column} ${value === null ? '' : `${JSON.stringify(value)} `}${reason}`,
    )
    .join('; ');
  return { kind: 'rejection', line: where.line, position: where.position, reason, problems, raw };
}

/** The row's values in canonical column order. */
export function rawValuesOf(row: PoliceUkRow): string[] {
  return POLICE_UK_COLUMNS.map((column) => row.values[column]);
}
