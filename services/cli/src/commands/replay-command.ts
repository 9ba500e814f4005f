import { isLocalDate } from '@rollcall/calendar';
import { replayAggregates } from '@rollcall/store';
import { commandSetup, withServiceContext } from '../cli-context.ts';
import { type CommandIo, parseOptions, requireOne, UsageError, writeLine } from '../command-line.ts';
import { createProgressReporter } from '../progress-reporter.ts';

/**
 * `rollcall replay [--from <date>] [--to <date>] [--entities] [--lanes <n>] [--format text|json]`: rebuilds the
 * daily aggregates and their monthly sums (of the given London days, or all) and the feed stats
 * from the stored events, and with --entities every entity's state too. Ingest pauses
 * while it runs; published snapshots whose figures change are marked for revision. `--format
 * json` prints the result's figures as one JSON object, for a script that checks a nightly
 * replay changed nothing (`changedRows` 0) and for the benchmark, which runs replay as deployed.
 * `--lanes` sets the threads that fold at once (default: one per core, up to 2; `ReplayOptions`).
 */
export async function replayCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseOptions(
    args,
    {
      from: { type: 'string' },
      to: { type: 'string' },
      entities: { type: 'boolean', default: false },
      lanes: { type: 'string' },
      format: { type: 'string', default: 'text' },
    },
    'replay',
  );
  const format = requireOne(values.format, ['text', 'json'] as const, '--format');
  for (const [name, value] of [
    ['--from', values.from],
    ['--to', values.to],
  ] as const) {
    if (value !== undefined && !isLocalDate(value))
      throw new UsageError(`replay: ${name} must be a date YYYY-MM-DD (got ${JSON.stringify(value)})`);
  }
  const lanes = values.lanes === undefined ? undefined : Number(values.lanes);
  if (lanes !== undefined && (!Number.isInteger(lanes) || lanes < 1 || lanes > 16))
    throw new UsageError(`replay: --lanes must be a whole number from 1 to 16 (got ${JSON.stringify(values.lanes)})`);
  if (lanes !== undefined && lanes > 1 && values.entities === true)
    throw new UsageError(
      'replay: --entities folds on one lane (entity rows are written in its transaction); leave out --lanes',
    );
  if (values.from !== undefined && values.to !== undefined && values.to < values.from)
    throw new UsageError('replay: --to is before --from');
  const { config, log } = commandSetup(io, 'replay');
  const result = await withServiceContext(config, log, async (context) => {
    // The reporter starts at replay's first progress, which carries the total: PostgreSQL's
    // estimate while reading (counting the events cost a scan of them all, issue 19), the events
    // read once done, so the last line says exactly how many.
    let progress: ReturnType<typeof createProgressReporter> | undefined;
    try {
      return await replayAggregates(context.db, context.calendar, {
        from: values.from ?? null,
        to: values.to ?? null,
        entities: values.entities === true,
        ...(lanes === undefined ? {} : { lanes }),
        onProgress: (done, total) => {
          progress ??= createProgressReporter(io, log, { label: 'replay events', total, unit: 'events' });
          progress.setTotal(total);
          progress.update(done);
        },
      });
    } finally {
      progress?.stop();
    }
  });
  if (format === 'json') {
    writeLine(io.stdout, JSON.stringify({ from: values.from ?? null, to: values.to ?? null, ...result }));
    return 0;
  }
  const range = values.from || values.to ? ` for ${values.from ?? 'the start'} to ${values.to ?? 'the end'}` : '';
  writeLine(
    io.stdout,
    `replayed ${result.events} events into ${result.entities} entities and ${result.aggregateRows} aggregate rows${range} in ${result.seconds.toFixed(1)} s ` +
      `(${Math.round(result.events / Math.max(result.seconds, 1e-3))} events/s); ${result.changedRows} row(s) differed from live processing` +
      (result.staleSnapshotHeads > 0 ? `; ${result.staleSnapshotHeads} published snapshot(s) marked for revision` : ''),
  );
  return 0;
}
