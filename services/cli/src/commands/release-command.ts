import { isLocalDate } from '@rollcall/calendar';
import { listReleases, readPreReleaseAccess, type ReleaseEntry } from '@rollcall/db';
import { releaseStateOf } from '@rollcall/ops';
import { parseReleaseTime, ReleaseScheduleError, ReleaseTimeError, scheduleRelease } from '@rollcall/publishing';
import { commandSetup, withServiceContext } from '../cli-context.ts';
import { CommandFailed, type CommandIo, parseOptions, UsageError, writeLine } from '../command-line.ts';
import { textTable } from '../text-table.ts';

const USAGE = [
  'release schedule --force <id> --as-of <date> --at <YYYY-MM-DDTHH:MM> [<time zone>]',
  'release list [--force <id>] [--format json]',
  'release access --force <id> --as-of <date>',
].join(' | ');

/** `09:30 Europe/London` shown back as the local time it was announced in, with its offset. */
const localTime = (at: Date, timeZone: string): string =>
  `${new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at).replace(' ', 'T')} ${timeZone}`;

const releaseJson = (release: ReleaseEntry, now: Date) => ({
  forceId: release.forceId,
  asOf: release.asOf,
  releaseAt: release.releaseAt.toISOString(),
  releaseAtLocal: localTime(release.releaseAt, release.timeZone),
  announcedAt: release.announcedAt.toISOString(),
  releasedAt: release.releasedAt?.toISOString() ?? null,
  state: releaseStateOf(release, now.getTime()),
});

/**
 * `rollcall release ...`: the release calendar (operations.md, "Release control"). `schedule`
 * announces the time a force's snapshot for a date is released (09:30 London by the Code of
 * Practice); `list` shows the calendar and where each release stands; `access` prints the
 * pre-release access log of one.
 */
export async function releaseCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'schedule') return scheduleSub(rest, io);
  if (sub === 'list') return listSub(rest, io);
  if (sub === 'access') return accessSub(rest, io);
  throw new UsageError(`release: give a sub-command (${USAGE})`);
}

async function scheduleSub(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseOptions(
    args,
    { force: { type: 'string' }, 'as-of': { type: 'string' }, at: { type: 'string' } },
    'release schedule',
  );
  const asOf = values['as-of'];
  if (!values.force)
    throw new UsageError('release schedule: --force <id> is required (the force whose snapshot is released)');
  if (asOf === undefined || !isLocalDate(asOf))
    throw new UsageError("release schedule: --as-of YYYY-MM-DD is required (the snapshot's date)");
  if (!values.at)
    throw new UsageError(
      'release schedule: --at YYYY-MM-DDTHH:MM is required (e.g. --at 2027-01-14T09:30 Europe/London)',
    );
  if (positionals.length > 1)
    throw new UsageError(`release schedule: one time zone at most after --at (got ${positionals.join(' ')})`);
  const { config, log } = commandSetup(io, 'release');
  const timeZone = positionals[0] ?? config.timeZone;
  const forceId = values.force;
  const at = values.at;
  const now = new Date();
  const release = await withServiceContext(config, log, async (context) => {
    try {
      return await scheduleRelease(
        context.db,
        { forceId, asOf, releaseAt: parseReleaseTime(at, timeZone), timeZone },
        now,
      );
    } catch (error) {
      if (error instanceof ReleaseScheduleError || error instanceof ReleaseTimeError)
        throw new CommandFailed(`schedule: ${error.message}`);
      throw error;
    }
  });
  writeLine(
    io.stdout,
    `${release.forceId} as of ${release.asOf}: released at ${localTime(release.releaseAt, release.timeZone)} (${release.releaseAt.toISOString()}); embargoed until then`,
  );
  return 0;
}

async function listSub(args: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseOptions(
    args,
    { force: { type: 'string' }, format: { type: 'string', default: 'table' } },
    'release list',
  );
  if (values.format !== 'table' && values.format !== 'json')
    throw new UsageError('release list: --format is table or json');
  const { config, log } = commandSetup(io, 'release');
  const now = new Date();
  const releases = await withServiceContext(config, log, (context) => listReleases(context.db, values.force));
  const rows = releases.map((release) => releaseJson(release, now));
  if (values.format === 'json') {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  if (rows.length === 0) {
    writeLine(io.stdout, 'no release scheduled (rollcall release schedule --force <id> --as-of <date> --at <time>)');
    return 0;
  }
  writeLine(
    io.stdout,
    textTable(
      ['force', 'as of', 'release at', 'UTC', 'state', 'files and message out'],
      rows.map((row) => [row.forceId, row.asOf, row.releaseAtLocal, row.releaseAt, row.state, row.releasedAt ?? '-']),
    ),
  );
  return 0;
}

async function accessSub(args: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseOptions(args, { force: { type: 'string' }, 'as-of': { type: 'string' } }, 'release access');
  const asOf = values['as-of'];
  if (!values.force || asOf === undefined || !isLocalDate(asOf))
    throw new UsageError('release access: --force <id> and --as-of YYYY-MM-DD are required');
  const forceId = values.force;
  const { config, log } = commandSetup(io, 'release');
  const rows = await withServiceContext(config, log, (context) => readPreReleaseAccess(context.db, forceId, asOf));
  if (rows.length === 0) {
    writeLine(io.stdout, `no pre-release access to ${forceId} as of ${asOf}`);
    return 0;
  }
  writeLine(
    io.stdout,
    textTable(
      ['when', 'token', 'snapshot', 'what', 'content hash'],
      rows.map((row) => [
        row.accessedAt.toISOString(),
        row.tokenName,
        row.snapshotId,
        row.what,
        row.contentHash ?? '-',
      ]),
    ),
  );
  return 0;
}
