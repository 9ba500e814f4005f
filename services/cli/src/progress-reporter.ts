import type { Logger } from '@rollcall/logger';
import cliProgress from 'cli-progress';
import type { CommandIo } from './command-line.ts';

export interface ProgressReporter {
  update(done: number, detail?: Record<string, string | number>): void;
  /** The total changed (it was an estimate: replay's starts as PostgreSQL's). */
  setTotal(total: number): void;
  stop(): void;
}

export interface ProgressOptions {
  readonly label: string;
  readonly total: number;
  readonly unit: string;
  /** Off a terminal: at most one log line per this many ms, and always the last; default 5,000. */
  readonly logEveryMs?: number;
  /** The clock, epoch ms (tests); `Date.now` by default. */
  readonly now?: () => number;
}

/**
 * Progress of long work: a bar on a terminal (cli-progress, on stderr so stdout stays clean),
 * otherwise a structured log line at most every `logEveryMs`, so cron logs and CI output show
 * progress without thousands of lines.
 */
export function createProgressReporter(io: CommandIo, log: Logger, options: ProgressOptions): ProgressReporter {
  if (io.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: io.stderr as NodeJS.WriteStream,
        format: `${options.label.padEnd(22)} [{bar}] {percentage}% | {value}/{total} ${options.unit} | {detail}`,
        barsize: 28,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    let total = Math.max(1, options.total);
    bar.start(total, 0, { detail: '' });
    return {
      update: (done, detail) =>
        bar.update(Math.min(done, total), {
          detail: detail
            ? Object.entries(detail)
                .map(([key, value]) => `${key} ${value}`)
                .join(', ')
            : '',
        }),
      setTotal: (next) => {
        total = Math.max(1, next);
        bar.setTotal(total);
      },
      stop: () => bar.stop(),
    };
  }
  const every = options.logEveryMs ?? 5_000;
  const clock = options.now ?? Date.now;
  let last = Number.NEGATIVE_INFINITY;
  let total = options.total;
  return {
    update: (done, detail) => {
      const now = clock();
      if (now - last < every && done < total) return;
      last = now;
      log.info({ task: options.label, done, total, unit: options.unit, ...detail }, 'progress');
    },
    setTotal: (next) => {
      total = next;
    },
    stop: () => undefined,
  };
}
