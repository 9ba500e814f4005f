import {
  type EntryExplanation,
  explainEntry,
  ExplainInputError,
  ExplainNotFoundError,
  type ExplainedEvents,
} from '@rollcall/publishing';
import { commandSetup, withServiceContext } from '../cli-context.ts';
import { CommandFailed, type CommandIo, parseOptions, UsageError } from '../command-line.ts';
import { formatCount, formatValue, textTable } from '../text-table.ts';

const USAGE = 'explain <snapshotId> <measureId> [--period <id>] [--breakdown k=v ...] [--json]';

/** `--breakdown grade=emergency --breakdown area=urban`, or `grade=emergency;area=urban`, as one record. */
function parseBreakdown(values: readonly string[] | undefined): Record<string, string> | null {
  if (values === undefined || values.length === 0) return null;
  const breakdown: Record<string, string> = {};
  for (const pair of values.flatMap((value) => value.split(';'))) {
    const [, key, value] = /^([a-z][a-zA-Z0-9_]*)=([^=]+)$/.exec(pair) ?? [];
    if (key === undefined || value === undefined)
      throw new UsageError(`explain: --breakdown takes key=value (e.g. grade=emergency), got ${JSON.stringify(pair)}`);
    breakdown[key] = value;
  }
  return breakdown;
}

/**
 * `rollcall explain <snapshotId> <measureId> [--period <id>] [--breakdown k=v ...] [--json]`:
 * one published entry with its definition, the daily aggregate rows it is derived from, coverage
 * and what changed since the revision before (`explainEntry`); readable text, or JSON.
 */
export async function explainCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseOptions(
    args,
    {
      period: { type: 'string' },
      breakdown: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
    },
    'explain',
  );
  if (positionals.length !== 2) throw new UsageError(`explain: give a snapshot id and a measure id (${USAGE})`);
  const [snapshotId, measureId] = positionals as [string, string];
  const breakdown = parseBreakdown(values.breakdown);
  const { config, log } = commandSetup(io, 'explain');
  const explanation = await withServiceContext(config, log, async (context) => {
    try {
      return await explainEntry(context.db, { snapshotId, measureId, periodId: values.period, breakdown });
    } catch (error) {
      if (error instanceof ExplainNotFoundError || error instanceof ExplainInputError)
        throw new CommandFailed(error.message);
      throw error;
    }
  });
  io.stdout.write(values.json ? `${JSON.stringify(explanation, null, 2)}\n` : `${explanationText(explanation)}\n`);
  return 0;
}

const figures = (f: { value: number | null; numerator: number | null; denominator: number | null }, unit: string) =>
  `value ${f.value === null ? '(none)' : `${formatValue(f.value, unit)} (${f.value})`}, numerator ${f.numerator ?? '(none)'}, denominator ${f.denominator ?? '(none)'}`;

function eventsText(title: string, events: ExplainedEvents): string[] {
  return [
    `${title}: ${formatCount(events.total)} event(s) stored after ${events.receivedAfter}${events.receivedUntil ? ` up to ${events.receivedUntil}` : ''}`,
    ...events.events.map((event) => `  ${event.eventId}  ${event.type}`),
    ...(events.total > events.events.length
      ? [`  ... and ${formatCount(events.total - events.events.length)} more`]
      : []),
  ];
}

/** The explanation as a person reads it. */
export function explanationText(e: EntryExplanation): string {
  const unit = e.measure.unit;
  const lines: string[] = [
    `${e.measure.title} (${e.measure.id})`,
    `snapshot ${e.snapshot.snapshotId}: ${e.snapshot.forceId} as of ${e.snapshot.asOf}, revision ${e.snapshot.revision}${e.snapshot.supersedes ? ` (supersedes ${e.snapshot.supersedes})` : ''}`,
    `published ${e.snapshot.publishedAt}; code version ${e.snapshot.codeVersion}; reference data ${e.snapshot.referenceVersion} (population ${e.snapshot.populationVintage})`,
    `period ${e.period.id}: ${e.period.label}${e.period.from ? ` (${e.period.from} to ${e.period.to})` : ''}`,
    `breakdown ${
      e.breakdown === null
        ? '(headline)'
        : Object.entries(e.breakdown)
            .map(([k, v]) => `${k}=${v}`)
            .join(';')
    }`,
    '',
    `unit ${unit}, ${e.measure.direction}; feed ${e.measure.feed}`,
    `definition: ${e.measure.definition}`,
    `method: ${e.measure.method}`,
    '',
    `published: ${figures(e.published, unit)}; flags ${e.published.flags.length > 0 ? e.published.flags.join(' ') : '(none)'}${e.published.missingMonths ? `; missing months ${e.published.missingMonths.join(', ')}` : ''}`,
  ];
  if (e.suppressed) lines.push(`SUPPRESSED ${e.suppressed.flag}: ${e.suppressed.reason}`);
  const d = e.derivation;
  if (d) {
    lines.push(
      `recomputed now: ${figures(d.recomputed, unit)}: ${d.matchesPublished ? 'matches the published figures' : 'DIFFERS from the published figures (data stored since publication, below)'}`,
    );
    if (d.population)
      lines.push(
        `population: ${formatCount(d.population.residents)} residents (${d.population.vintage})${d.population.role.length > 0 ? ` [${d.population.role.join(', ')}]` : ''}`,
      );
    lines.push('', 'what the definition read (Σ of the daily aggregate rows below):');
    lines.push(
      textTable(
        ['read', 'input', 'days', 'method', 'metric', 'dimensions', 'value', 'role'],
        d.reads.map((read) => [
          `#${read.id}`,
          read.input,
          `${read.from ?? 'start'}..${read.to}`,
          read.method,
          read.metric,
          read.dims === 'all' ? 'all' : read.dims.join(',') || '(none)',
          String(read.value),
          read.role.join(', '),
        ]),
        ['left', 'left', 'left', 'left', 'left', 'left', 'right', 'left'],
      ),
    );
    const periodReads = d.reads.filter((read) => read.input === 'period');
    lines.push('', 'day by day (period reads; events of the feed by London day of occurrence):');
    lines.push(
      textTable(
        ['day', 'events', 'latest stored', ...periodReads.map((read) => `#${read.id}`)],
        [
          ...d.days.map((day) => [
            day.day,
            formatCount(day.events),
            day.latestReceivedAt ?? '',
            ...periodReads.map((read) => String(day.sums[String(read.id)] ?? '')),
          ]),
          [
            'total',
            formatCount(d.days.reduce((sum, day) => sum + day.events, 0)),
            '',
            ...periodReads.map((read) => String(read.rowsSum)),
          ],
        ],
        ['left', 'right', 'left', ...periodReads.map(() => 'right' as const)],
      ),
    );
  }
  lines.push(
    '',
    `coverage (${e.coverage.feed}): ${e.coverage.months.map((month) => `${month.month} ${month.hasData ? (month.events === undefined ? 'data' : `${formatCount(month.events)} events`) : 'NO DATA [x]'}`).join('; ') || '(no months)'}`,
  );
  if (e.revision) {
    lines.push(
      '',
      `against revision ${e.revision.previous.revision} (${e.revision.previous.snapshotId}, published ${e.revision.previous.publishedAt ?? 'unknown'}):`,
    );
    if (e.revision.before === null) lines.push('  the entry is new in this revision');
    else if (e.revision.differences.length === 0)
      lines.push(
        `  value, numerator and denominator unchanged (flags then: ${e.revision.before.flags.join(' ') || '(none)'})`,
      );
    for (const difference of e.revision.differences) {
      lines.push(
        `  ${difference.field}: ${difference.before ?? '(none)'} -> ${difference.after ?? '(none)'}${difference.change === null ? '' : ` (${difference.change > 0 ? '+' : ''}${difference.change})`}`,
      );
    }
    if (e.revision.eventsArrived)
      lines.push(
        ...eventsText('events of the period that arrived in between', e.revision.eventsArrived).map(
          (line) => `  ${line}`,
        ),
      );
  }
  if (e.sincePublication) lines.push('', ...eventsText('since this revision was published', e.sincePublication));
  return lines.join('\n');
}
