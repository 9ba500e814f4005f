/** How healthy a part of the pipeline is; ordered, so the worst part decides the whole. */
export type HealthStatus = 'ok' | 'warn' | 'critical';

const RANK: Record<HealthStatus, number> = { ok: 0, warn: 1, critical: 2 };

/** The worst of the given statuses; `ok` when there are none. */
export function worstStatus(statuses: Iterable<HealthStatus>): HealthStatus {
  let worst: HealthStatus = 'ok';
  for (const status of statuses) if (RANK[status] > RANK[worst]) worst = status;
  return worst;
}
