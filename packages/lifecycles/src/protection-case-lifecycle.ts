import type { Calendar } from '@rollcall/calendar';
import type { DvpoDecided } from '@rollcall/contract';
import { METRIC } from '@rollcall/contract';
import { type Fact, factsOfType } from './fact.ts';
import { flagExtras, type Lifecycle, LifecycleBuilder } from './lifecycle.ts';

/**
 * A domestic violence protection case (`caseRef`): a notice authorised by a superintendent (DVPN)
 * and/or an order applied for at court (DVPO), the court's decision, and breaches.
 *
 * Counts follow the event that starts each thing: authorisations, applications and breaches on
 * their own days, decisions on the decision day (measures.md). Events that a valid case cannot
 * hold are flagged and not counted, and count as soon as the missing event arrives:
 * a decision needs an application before it; a DVPO breach needs a granted order before it; a
 * DVPN breach needs an authorised notice before it.
 */
export function interpretProtectionCase(facts: readonly Fact[], calendar: Calendar): Lifecycle {
  const builder = new LifecycleBuilder();
  const authorisations = factsOfType(facts, 'dvpn.authorised');
  const applications = factsOfType(facts, 'dvpo.applied');
  flagExtras(builder, authorisations, 'dvpn.authorised');
  flagExtras(builder, applications, 'dvpo.applied');
  const authorised = authorisations[0];
  const applied = applications[0];

  if (authorised) builder.add(calendar.dayOf(authorised.at), METRIC.dvpnAuthorised);
  for (const breach of factsOfType(facts, 'dvpn.breached')) {
    if (authorised && breach.at >= authorised.at) builder.add(calendar.dayOf(breach.at), METRIC.dvpnBreached);
    else builder.flag('dvpn.breached without an earlier dvpn.authorised: not counted');
  }

  if (applied) builder.add(calendar.dayOf(applied.at), METRIC.dvpoApplied);
  const decisions = factsOfType(facts, 'dvpo.decided');
  const validDecisions = decisions.filter((fact) => applied && fact.at >= applied.at);
  if (validDecisions.length < decisions.length)
    builder.flag('dvpo.decided without an earlier dvpo.applied: not counted');
  flagExtras(builder, validDecisions, 'dvpo.decided');
  const decided = validDecisions[0];
  const outcome = decided ? (decided.p as DvpoDecided['payload']).outcome : undefined;
  if (decided && outcome) builder.add(calendar.dayOf(decided.at), METRIC.dvpoDecided, outcome);

  for (const breach of factsOfType(facts, 'dvpo.breached')) {
    if (decided && outcome === 'granted' && breach.at >= decided.at)
      builder.add(calendar.dayOf(breach.at), METRIC.dvpoBreached);
    else builder.flag('dvpo.breached without an earlier granted order: not counted');
  }

  const starts = [authorised?.at, applied?.at].filter((at): at is number => at !== undefined);
  if (starts.length === 0) builder.flag('awaiting dvpn.authorised or dvpo.applied');
  const status = outcome
    ? `order ${outcome}`
    : applied
      ? 'order applied for'
      : authorised
        ? 'notice authorised'
        : 'pending';
  return builder.build(status, starts.length > 0 ? Math.min(...starts) : null, decided?.at ?? null);
}
