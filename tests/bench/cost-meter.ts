import { readFileSync } from 'node:fs';
import type { Db } from '@rollcall/db';
import { sql } from 'kysely';

/**
 * The cost model of issue 19: CPU time and WAL bytes spent per event, which stay put on a shared
 * machine where events per second do not (another process taking a core halves the rate but not
 * the work each event needs).
 *
 * - CPU of the Rollcall processes: user + system time of the given processes and their children,
 *   from /proc/<pid>/stat, sampled until they exit (a process that exits keeps its last sample),
 *   plus this process's own when `includeSelf`, and with `includeExitedChildren` all the CPU time
 *   of this process's children that exited (and were reaped) in the window, exactly, from
 *   /proc/self/stat's cutime and cstime: a short-lived child such as `rollcall replay` would
 *   otherwise lose the time after its last sample.
 * - CPU of PostgreSQL: the backends connected to the benchmark's database and the server's
 *   background processes (WAL writer, checkpointer, autovacuum...), which work for the same load;
 *   a backend that ends between samples loses at most one interval of its time.
 * - WAL: `pg_current_wal_lsn()` before and after, the bytes the server made durable.
 *
 * Linux only (/proc); elsewhere the CPU figures are null and WAL is still measured.
 */

/** Kernel clock ticks per second (`getconf CLK_TCK`): 100 on every Linux this runs on. */
const CLOCK_TICKS_PER_SECOND = 100;
const SAMPLE_EVERY_MS = 250;

export interface CostMeasurement {
  readonly events: number;
  readonly seconds: number;
  /** CPU-µs per event of the Rollcall processes; null without /proc. */
  readonly rollcallCpuMicrosPerEvent: number | null;
  /** CPU-µs per event of PostgreSQL's processes; null without /proc. */
  readonly postgresCpuMicrosPerEvent: number | null;
  /** The two together. */
  readonly cpuMicrosPerEvent: number | null;
  /** Bytes of WAL per event. */
  readonly walBytesPerEvent: number;
}

export interface CostMeter {
  /** Stops sampling and divides by `events` (stored, or rows for a baseline). */
  stop(events: number): Promise<CostMeasurement>;
}

/** CPU seconds of a process (user + system), or undefined when it is gone. */
function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after it start after its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat(5) are utime and stime: 12th and 13th after the name.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** CPU seconds of this process's children that exited and were reaped (cutime + cstime), or 0 without /proc. */
function exitedChildrenCpuSeconds(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 16 and 17 of stat(5): cutime and cstime, 14th and 15th after the name.
    return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** The pid's children, grandchildren and so on (from /proc/<pid>/task/<pid>/children). */
function descendantsOf(pid: number): number[] {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return children.map(Number).flatMap((child) => [child, ...descendantsOf(child)]);
  } catch {
    return [];
  }
}

const procAvailable = (() => {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
})();

async function walLsn(db: Db): Promise<string> {
  return (await sql<{ lsn: string }>`select pg_current_wal_lsn()::text as lsn`.execute(db)).rows[0]?.lsn ?? '0/0';
}

async function walBytesSince(db: Db, lsn: string): Promise<number> {
  const row = (
    await sql<{ bytes: string }>`select pg_wal_lsn_diff(pg_current_wal_lsn(), ${lsn}::pg_lsn)::text as bytes`.execute(
      db,
    )
  ).rows[0];
  return Number(row?.bytes ?? 0);
}

/** PostgreSQL processes that work for the benchmark: its database's backends and the server's own. */
async function postgresPids(db: Db, database: string): Promise<number[]> {
  const rows = await sql<{ pid: number }>`
    select pid from pg_stat_activity
    where datname = ${database} or backend_type <> 'client backend'`.execute(db);
  return rows.rows.map((row) => row.pid);
}

/** CPU time of a changing set of processes: per pid, its last sample minus its first (0 if it started after). */
class CpuLedger {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();

  sample(pid: number, isStart: boolean): void {
    const seconds = cpuSecondsOf(pid);
    if (seconds === undefined) return;
    if (!this.first.has(pid)) this.first.set(pid, isStart ? seconds : 0);
    this.last.set(pid, seconds);
  }

  total(): number {
    let sum = 0;
    for (const [pid, last] of this.last) sum += last - (this.first.get(pid) ?? 0);
    return sum;
  }
}

/**
 * Starts measuring. `rollcallPids` is asked at every sample (worker processes may start after
 * the meter); processes seen for the first time after the start count from zero, since they
 * started inside the measured window.
 */
export async function startCostMeter(
  db: Db,
  options: {
    database: string;
    rollcallPids: () => readonly number[];
    includeSelf?: boolean;
    includeExitedChildren?: boolean;
  },
): Promise<CostMeter> {
  const startedAt = performance.now();
  const lsn = await walLsn(db);
  const selfStart = process.cpuUsage();
  const exitedChildrenStart = exitedChildrenCpuSeconds();
  const rollcall = new CpuLedger();
  const postgres = new CpuLedger();
  const sampleRollcall = (isStart: boolean) => {
    for (const pid of options.rollcallPids()) for (const p of [pid, ...descendantsOf(pid)]) rollcall.sample(p, isStart);
  };
  const samplePostgres = async (isStart: boolean) => {
    for (const pid of await postgresPids(db, options.database)) postgres.sample(pid, isStart);
  };
  if (procAvailable) {
    sampleRollcall(true);
    await samplePostgres(true);
  }
  let sampling = Promise.resolve();
  const timer = setInterval(() => {
    if (!procAvailable) return;
    sampleRollcall(false);
    sampling = sampling.then(() => samplePostgres(false)).catch(() => undefined);
  }, SAMPLE_EVERY_MS);
  return {
    async stop(events) {
      clearInterval(timer);
      await sampling;
      if (procAvailable) {
        sampleRollcall(false);
        await samplePostgres(false);
      }
      const walBytes = await walBytesSince(db, lsn);
      const self = process.cpuUsage(selfStart);
      const rollcallSeconds =
        rollcall.total() +
        (options.includeSelf ? (self.user + self.system) / 1e6 : 0) +
        (options.includeExitedChildren ? exitedChildrenCpuSeconds() - exitedChildrenStart : 0);
      const perEvent = (seconds: number) => (procAvailable && events > 0 ? (seconds * 1e6) / events : null);
      const rollcallMicros = perEvent(rollcallSeconds);
      const postgresMicros = perEvent(postgres.total());
      return {
        events,
        seconds: (performance.now() - startedAt) / 1000,
        rollcallCpuMicrosPerEvent: rollcallMicros,
        postgresCpuMicrosPerEvent: postgresMicros,
        cpuMicrosPerEvent: rollcallMicros === null || postgresMicros === null ? null : rollcallMicros + postgresMicros,
        walBytesPerEvent: events > 0 ? walBytes / events : 0,
      };
    },
  };
}
