import type { PoliceUkSource } from './police-uk-file-name.ts';

/**
 * data.police.uk files carry no record id, so a record is named by where it sits: force, month
 * and its 1-based position among the file's data rows (`pu-avon-and-somerset-2019-01-17`). The
 * same row in a re-supplied file keeps its id; whether its content changed is told by the content
 * hash in the event id. Ids contain no `:` (queue job ids must not) and are never all digits.
 */
export function policeUkRecordId(source: PoliceUkSource, position: number): string {
  return `pu-${source.forceId}-${source.month}-${position}`;
}
