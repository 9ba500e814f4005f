import { isLocalDate } from '@rollcall/calendar';
import { findLatestSnapshot, findSnapshot } from '@rollcall/db';
import { type PublishOutcome } from '@rollcall/publishing';
import {
  parseSnapshotDocument,
  publishDepsOf,
  publishSnapshot,
  type SnapshotDocument,
  snapshotToCsv,
} from '@rollcall/publishing';
import { commandSetup, withServiceContext } from '../cli-context.ts';
import { CommandFailed, type CommandIo, parseOptions, requireOne, UsageError } from '../command-line.ts';

const FORMATS = ['json', 'csv'] as const;

/** Prints documents: one JSON object (an array for several forces), or CSV with one header. */
export function printSnapshots(
  io: CommandIo,
  documents: readonly SnapshotDocument[],
  format: (typeof FORMATS)[number],
): void {
  if (format === 'json') {
    io.stdout.write(`${JSON.stringify(documents.length === 1 ? documents[0] : documents, null, 2)}\n`);
    return;
  }
  documents.forEach((document, index) => {
    const csv = snapshotToCsv(document);
    io.stdout.write(index === 0 ? csv : csv.slice(csv.indexOf('\r\n') + 2));
  });
}

/**
 * `rollcall snapshot --as-of <date> [--force <id>] [--format json|csv]` publishes (the nightly
 * run's code path) and prints; `rollcall snapshot show [--latest|<snapshotId>]` prints one.
 */
export async function snapshotCommand(args: readonly string[], io: CommandIo): Promise<number> {
  if (args[0] === 'show') return showCommand(args.slice(1), io);
  const { values, positionals } = parseOptions(
    args,
    { 'as-of': { type: 'string' }, force: { type: 'string' }, format: { type: 'string', default: 'json' } },
    'snapshot',
  );
  if (positionals.length > 0)
    throw new UsageError(`snapshot: unexpected ${JSON.stringify(positionals[0])} (did you mean "snapshot show"?)`);
  const asOf = values['as-of'];
  if (asOf === undefined || !isLocalDate(asOf))
    throw new UsageError('snapshot: --as-of YYYY-MM-DD is required (a London calendar date)');
  const format = requireOne(values.format, FORMATS, '--format');
  const { config, log } = commandSetup(io, 'snapshot');
  const forces = values.force !== undefined ? [values.force] : config.forces;
  const outcomes = await withServiceContext(config, log, async (context) => {
    const published: PublishOutcome[] = [];
    for (const forceId of forces)
      published.push(await publishSnapshot(publishDepsOf(context.config, context), forceId, asOf));
    return published;
  });
  for (const outcome of outcomes) {
    log.info(
      { snapshotId: outcome.snapshotId, created: outcome.created },
      outcome.created ? 'published' : 'unchanged, already published',
    );
  }
  printSnapshots(
    io,
    outcomes.map((outcome) => outcome.document),
    format,
  );
  return 0;
}

async function showCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseOptions(
    args,
    {
      latest: { type: 'boolean', default: false },
      force: { type: 'string' },
      format: { type: 'string', default: 'json' },
    },
    'snapshot show',
  );
  const format = requireOne(values.format, FORMATS, '--format');
  if (positionals.length > 1 || (positionals.length === 1 && values.latest))
    throw new UsageError('snapshot show: give --latest or one snapshot id');
  const { config, log } = commandSetup(io, 'snapshot');
  const [snapshotId] = positionals;
  const stored = await withServiceContext(config, log, (context) =>
    snapshotId === undefined
      ? findLatestSnapshot(context.db, values.force ?? config.forces[0])
      : findSnapshot(context.db, snapshotId),
  );
  if (!stored) {
    throw new CommandFailed(
      snapshotId === undefined
        ? 'no snapshot published yet (rollcall snapshot --as-of <date>)'
        : `no snapshot ${JSON.stringify(snapshotId)}`,
    );
  }
  printSnapshots(io, [parseSnapshotDocument(stored.snapshotId, stored.document)], format);
  return 0;
}
