import type { AccountingCheck } from '@rollcall/db';
import type { HealthStatus } from './health-status.ts';

export interface AccountingVerdict {
  /** `critical` when any counter disagrees with the table it counts, else `ok`. */
  readonly status: HealthStatus;
  /** The checks that disagree (should always be none). */
  readonly mismatches: readonly AccountingCheck[];
  /** One sentence per mismatch, prefixed `accounting:` like the queue and nightly reasons. */
  readonly reasons: readonly string[];
}

const differs = (check: AccountingCheck): boolean =>
  check.accountedStored !== check.eventsInTable || check.accountedRejected !== check.rejectedInTable;

function describe(check: AccountingCheck): string {
  const where = `${check.feed} ${check.forceId === '' ? '(unreadable)' : check.forceId}`;
  const parts = [
    ...(check.accountedStored === check.eventsInTable
      ? []
      : [`counts ${check.accountedStored} stored but events holds ${check.eventsInTable}`]),
    ...(check.accountedRejected === check.rejectedInTable
      ? []
      : [`counts ${check.accountedRejected} rejected but rejected_events holds ${check.rejectedInTable}`]),
  ];
  return `accounting: ${where} ${parts.join(' and ')}; an outcome went unrecorded: keep this output and report it`;
}

/**
 * Every offered event ends stored, duplicate or rejected, and the counters must agree with the
 * rows they count (`checkAccounting`). A disagreement means the published figures rest on events
 * the pipeline lost track of, so it is critical, whatever the queues say: `rollcall status` exits
 * 2. (`offered` is the sum of the three counters, so it cannot disagree with them.)
 */
export function judgeAccounting(checks: readonly AccountingCheck[]): AccountingVerdict {
  const mismatches = checks.filter(differs);
  return { status: mismatches.length > 0 ? 'critical' : 'ok', mismatches, reasons: mismatches.map(describe) };
}
