import type { Logger } from '@rollcall/logger';

export interface ShutdownStep {
  readonly name: string;
  readonly run: () => Promise<unknown>;
}

/** Where signals come from: the process, or a test's emitter. */
export interface SignalSource {
  on(signal: 'SIGTERM' | 'SIGINT', listener: (signal: NodeJS.Signals) => void): unknown;
}

export interface GracefulShutdown {
  /** Steps run in the order added: stop fetching work first, close connections last. */
  add(step: ShutdownStep): void;
  /** Runs the steps once (later calls return the same promise); resolves when all are done. */
  shutdown(reason: string): Promise<void>;
  /**
   * Installs SIGTERM/SIGINT handlers: the first shuts down and then exits 0, a second exits 130 at
   * once. `exit` and `signals` default to the process's; tests pass their own.
   */
  installSignalHandlers(exit?: (code: number) => void, signals?: SignalSource): void;
  readonly done: Promise<void>;
}

/**
 * Orderly shutdown with a time bound per step, so a hung close (Redis unreachable, a job that does
 * not finish) cannot keep the process alive: after `stepTimeoutMs` the step is abandoned, logged,
 * and the next one runs. A second signal exits at once with code 130.
 */
export function createGracefulShutdown(log: Logger, stepTimeoutMs: number): GracefulShutdown {
  const steps: ShutdownStep[] = [];
  let running: Promise<void> | undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));

  const runStep = async (step: ShutdownStep): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), stepTimeoutMs);
      timer.unref();
    });
    try {
      const outcome = await Promise.race([step.run().then(() => 'done' as const), timeout]);
      if (outcome === 'timeout')
        log.warn({ step: step.name, timeoutMs: stepTimeoutMs }, 'shutdown step timed out; continuing');
      else log.info({ step: step.name }, 'shutdown step done');
    } catch (err) {
      log.error({ err, step: step.name }, 'shutdown step failed; continuing');
    } finally {
      clearTimeout(timer);
    }
  };

  const shutdown = (reason: string): Promise<void> => {
    running ??= (async () => {
      log.info({ reason }, 'shutting down');
      for (const step of steps) await runStep(step);
      log.info('shutdown complete');
      resolveDone();
    })();
    return running;
  };

  return {
    add: (step) => steps.push(step),
    shutdown,
    done,
    installSignalHandlers(exit = (code) => process.exit(code), signals: SignalSource = process) {
      let received = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        received += 1;
        if (received > 1) {
          log.warn({ signal }, 'second signal: exiting now');
          exit(130);
          return;
        }
        void shutdown(signal).then(() => exit(0));
      };
      signals.on('SIGTERM', onSignal);
      signals.on('SIGINT', onSignal);
    },
  };
}
