import type { PoliceUkSource } from './police-uk-file-name.ts';

/**
 * data.police.uk files carry no record id, so the importer numbers a force-month's records:
 * `pu-avon-and-somerset-2019-01-17` is record 17 of that month. In the first edition imported,
 * record n is the n-th data row. A later edition's rows are matched to the records by content
 * (`EditionMatcher`): a row keeps its record wherever it moved, an edited row keeps the record of
 * the row it replaced, and a row no record holds gets the next number. Ids contain no `:` (queue
 * job ids must not) and are never all digits.
 */
export function policeUkRecordId(source: PoliceUkSource, record: number): string {
  return `pu-${source.forceId}-${source.month}-${record}`;
}
