import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createCalendar } from '@rollcall/calendar';
import { FEEDS, type Feed } from '@rollcall/contract';
import { envelopeOf } from '@rollcall/db';
import { createPseudonymiser, prepareEvent } from '@rollcall/intake';
import { loadReferenceData } from '@rollcall/reference';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { BENCH_PSEUDONYM_KEY } from './bench-context.ts';
import { benchMonths } from './bench-events.ts';
import { csvCell } from './copy-baseline.ts';

/**
 * Years of history for the snapshot-cost figure, loaded the way an operator would backfill:
 * events prepared exactly as the workers prepare them (validated, pseudonymised, hashed) and
 * copied into the events table, after which `rollcall replay` builds entities and aggregates.
 * Wanted-person circulations are left out of the history months: each simulated month already
 * carries four years of them.
 */
export async function loadHistory(
  databaseUrl: string,
  months: readonly string[],
  onMonth: (month: string, events: number) => void,
): Promise<number> {
  const context = {
    calendar: createCalendar('Europe/London'),
    pseudonymise: createPseudonymiser(BENCH_PSEUDONYM_KEY),
    knownForces: new Set(loadReferenceData().forces.map((force) => force.forceId)),
  };
  const client = new pg.Client({ connectionString: databaseUrl });
  // A connection lost mid-query rejects the query; pg's 'error' event after it must not be uncaught.
  client.on('error', () => undefined);
  await client.connect();
  let total = 0;
  try {
    for (const { month, byFeed } of benchMonths(months, {
      scale: 0.75,
      feeds: FEEDS.filter((feed) => feed !== 'wanted-persons'),
    })) {
      const rows = new PassThrough();
      const copy = pipeline(
        rows,
        client.query(
          copyStreams.from(
            'copy events (feed, event_id, type, force_id, occurred_at, entity_kind, entity_id, envelope, payload) from stdin with (format csv)',
          ),
        ),
      );
      // Event identity (migration 16) beside the copied rows, as the workers' insert writes it.
      const ids: string[] = [];
      let count = 0;
      for (const feed of FEEDS as readonly Feed[]) {
        for (const input of byFeed[feed]) {
          const prepared = prepareEvent(input, feed, context);
          if (prepared.kind !== 'event') throw new Error(`history event rejected: ${prepared.reason}`);
          const e = prepared.event;
          const envelope = envelopeOf({ eventId: e.eventId, feed, type: e.type, forceId: e.forceId, body: e });
          rows.write(
            `${feed},${csvCell(e.eventId)},${e.type},${e.forceId},${e.occurredAt},${prepared.entity.kind},${csvCell(prepared.entity.entityId)},${csvCell(JSON.stringify(envelope))},${csvCell(JSON.stringify(e.payload))}\n`,
          );
          ids.push(`${feed},${csvCell(e.eventId)},${e.occurredAt},${prepared.contentHash}\n`);
          count += 1;
        }
      }
      rows.end();
      await copy;
      await pipeline(
        Readable.from(ids),
        client.query(
          copyStreams.from('copy event_ids (feed, event_id, occurred_at, content_hash) from stdin with (format csv)'),
        ),
      );
      total += count;
      onMonth(month, count);
    }
  } finally {
    await client.end();
  }
  return total;
}
