import type { Readable } from 'node:stream';
import type { PoliceUkSource } from './police-uk-file-name.ts';
import type { RowRejection } from './police-uk-row.ts';
import { readPoliceUkCsv } from './read-police-uk-csv.ts';
import { type StopSearchEventOfRow, toStopSearchEvent } from './to-stop-search-event.ts';

/**
 * A whole data.police.uk file as `stop-search.recorded` events and rejections, in file order,
 * streamed. Throws `PoliceUkHeaderError` when the header is wrong; never for a bad row.
 */
export async function* readStopSearchEvents(
  input: Readable,
  source: PoliceUkSource,
): AsyncGenerator<StopSearchEventOfRow | RowRejection, void, undefined> {
  for await (const item of readPoliceUkCsv(input)) {
    yield item.kind === 'row' ? toStopSearchEvent(item, source) : item;
  }
}
