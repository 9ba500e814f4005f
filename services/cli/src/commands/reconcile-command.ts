import { reconcilePublished } from '@rollcall/publishing';
import { commandSetup, withServiceContext } from '../cli-context.ts';
import { type CommandIo, parseOptions, UsageError, writeLine } from '../command-line.ts';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const format = (value: number | null, digits = 2) => (value === null ? '-' : value.toFixed(digits));

function requiredMonth(option: string, value: string | undefined): string {
  if (value === undefined || !MONTH.test(value))
    throw new UsageError(`reconcile: ${option} YYYY-MM is required (got ${JSON.stringify(value ?? null)})`);
  return value;
}

/**
 * `rollcall reconcile --force <id> --from <YYYY-MM> --to <YYYY-MM> [--tolerance <points>]`: the
 * force's own monthly figures beside those published for it (police.uk, Home Office...), one line
 * per month, measure and source, from the published month-end snapshots. Exits 1 when any
 * differs by more than the tolerance (0.5 by default, on the measure's scale: percentage points
 * for percentages), so a performance team can show, and CI can check, that the pipeline matches
 * the national series.
 */
export async function reconcileCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseOptions(
    args,
    {
      force: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      tolerance: { type: 'string', default: '0.5' },
    },
    'reconcile',
  );
  const forceId = values.force;
  if (forceId === undefined) throw new UsageError('reconcile: --force <id> is required');
  const fromMonth = requiredMonth('--from', values.from);
  const toMonth = requiredMonth('--to', values.to);
  if (toMonth < fromMonth) throw new UsageError('reconcile: --to is before --from');
  const tolerance = Number(values.tolerance);
  if (!(tolerance >= 0))
    throw new UsageError(`reconcile: --tolerance must be a number ≥ 0 (got ${JSON.stringify(values.tolerance)})`);
  const { config, log } = commandSetup(io, 'reconcile');
  const report = await withServiceContext(config, log, (context) =>
    reconcilePublished(context.db, { forceId, fromMonth, toMonth }),
  );
  let beyond = 0;
  writeLine(
    io.stdout,
    'month    measure                            source          own      published  difference  counts',
  );
  for (const line of report.lines) {
    const outside = line.differenceValue !== null && Math.abs(line.differenceValue) > tolerance;
    if (outside) beyond++;
    writeLine(
      io.stdout,
      `${line.month}  ${line.measureId.padEnd(34)} ${line.source.padEnd(15)} ${format(line.own).padStart(8)} ${format(line.published).padStart(10)} ${format(line.differenceValue).padStart(11)}  ${format(line.differenceNumerator, 0)}/${format(line.differenceDenominator, 0)}${outside ? '  BEYOND TOLERANCE' : ''}`,
    );
  }
  for (const month of report.monthsWithoutSnapshot)
    writeLine(
      io.stderr,
      `${month}: no snapshot dated on its last day; publish it first (rollcall snapshot --as-of <last day> --force ${values.force})`,
    );
  writeLine(io.stdout, `${report.lines.length} line(s); ${beyond} beyond the tolerance of ${tolerance}`);
  return beyond > 0 ? 1 : 0;
}
