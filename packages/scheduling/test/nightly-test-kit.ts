import type { NightlyPublication, PublishSnapshot, ReviseStaleSnapshots } from '../src/nightly-publication.ts';

/**
 * Test doubles of our own publishing functions (not of Redis or PostgreSQL): they publish nothing
 * and record each call, in order. Not exported from the package.
 */
export interface RecordingPublisher {
  readonly publish: PublishSnapshot;
  readonly reviseStale: ReviseStaleSnapshots;
  /** Every publish call, in order, as `forceId@asOf`. */
  readonly calls: string[];
  readonly reviseCalls: { count: number };
  /** Makes publish throw for `forceId@asOf` (or for the calls the predicate picks) until cleared (set to undefined). */
  failOn: string | ((call: string) => boolean) | undefined;
  /** Called inside publish before it returns; lets a test hold a run mid-date. */
  beforeReturn: ((call: string) => Promise<void>) | undefined;
}

export function recordingPublisher(): RecordingPublisher {
  const recorder: RecordingPublisher = {
    calls: [],
    reviseCalls: { count: 0 },
    failOn: undefined,
    beforeReturn: undefined,
    publish: async (forceId, asOf): Promise<NightlyPublication> => {
      const call = `${forceId}@${asOf}`;
      recorder.calls.push(call);
      const fails = typeof recorder.failOn === 'function' ? recorder.failOn(call) : recorder.failOn === call;
      if (fails) throw new Error(`cannot publish ${call}: aggregates unavailable`);
      await recorder.beforeReturn?.(call);
      return { forceId, asOf, snapshotId: `snap-${forceId}-${asOf}`, revision: 1, created: true };
    },
    reviseStale: async () => {
      recorder.reviseCalls.count += 1;
      return [];
    },
  };
  return recorder;
}

/** A promise with its resolver outside, for holding a run at a known point. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
