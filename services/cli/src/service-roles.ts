import type { ServiceRole } from '@rollcall/runtime';

export const SERVICE_ROLE_NAMES = ['workers', 'scheduler', 'api'] as const;
export type ServiceRoleName = (typeof SERVICE_ROLE_NAMES)[number];

export interface ServiceRoleOptions {
  /** The clock that decides which nightly dates are due, epoch ms; `Date.now` by default (tests fix it). */
  readonly now?: () => number;
}

/**
 * The roles `rollcall start` runs in one process, taken from the services that deploy each of
 * them alone, then the metrics port (METRICS_PORT). Each role's module is imported only when it
 * is asked for, so `--role workers` never loads the HTTP server, bull-board or the scheduler (and
 * the bundled CLI keeps them in chunks it does not read).
 */
export async function loadServiceRoles(
  names: readonly ServiceRoleName[],
  options: ServiceRoleOptions = {},
): Promise<ServiceRole[]> {
  const roles: ServiceRole[] = [];
  for (const name of names) {
    switch (name) {
      case 'workers':
        roles.push((await import('@rollcall/worker-service')).feedWorkersRole);
        break;
      case 'scheduler':
        roles.push(
          (await import('@rollcall/scheduler-service')).schedulerRole(options.now ? { now: options.now } : {}),
        );
        break;
      case 'api':
        roles.push((await import('@rollcall/api-service')).apiRole);
        break;
    }
  }
  roles.push((await import('@rollcall/api/metrics-port')).metricsPortRole);
  return roles;
}
