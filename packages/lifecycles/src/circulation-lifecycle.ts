import { type Calendar, daysBetween, firstAsAtOlderThanMonths, type LocalDate } from '@rollcall/calendar';
import type { WantedCirculated, WantedRiskChanged } from '@rollcall/contract';
import { dimOf, METRIC } from '@rollcall/contract';
import { type Fact, factsOfType } from './fact.ts';
import { flagExtras, type Lifecycle, LifecycleBuilder } from './lifecycle.ts';

/** "More than 6 calendar months" on PNC (measures.md). */
const AGED_MONTHS = 6;

/**
 * A wanted circulation: `wanted.circulated` → `wanted.risk-changed`* → `wanted.arrested` or
 * `wanted.cancelled`.
 *
 * Its as-at measures are stocks: the state at the end of each London day. Rather than store a
 * state per day, the lifecycle emits only the changes (+1 where it opens or moves into a
 * team/risk cell, -1 where it leaves one), so the number open at the end of any day is the sum of
 * changes up to that day. "Open at an instant" follows measures.md: circulated before it and not
 * closed before it, judged on event time, so events that arrive later but happened earlier count.
 * A circulation opened and closed on the same day is never open at a day's end.
 */
export function interpretCirculation(facts: readonly Fact[], calendar: Calendar): Lifecycle {
  const builder = new LifecycleBuilder();
  const circulations = factsOfType(facts, 'wanted.circulated');
  flagExtras(builder, circulations, 'wanted.circulated');
  const circulated = circulations[0];
  if (!circulated) {
    builder.flag('awaiting wanted.circulated: nothing counted until it arrives');
    return builder.build('pending', null, null);
  }
  const { team, risk, top20 } = circulated.p as WantedCirculated['payload'];

  const closings = factsOfType(facts, 'wanted.arrested', 'wanted.cancelled');
  const validClosings = closings.filter((fact) => fact.at >= circulated.at);
  if (validClosings.length < closings.length) builder.flag('closed before wanted.circulated: ignored');
  flagExtras(builder, validClosings, 'wanted.arrested or wanted.cancelled');
  const closed = validClosings[0];

  const riskChanges = factsOfType(facts, 'wanted.risk-changed');
  if (riskChanges.some((fact) => fact.at < circulated.at))
    builder.flag('wanted.risk-changed before wanted.circulated: ignored');
  const changes = riskChanges.filter((fact) => fact.at >= circulated.at && (!closed || fact.at < closed.at));

  const circulatedDay = calendar.dayOf(circulated.at);
  const closedDay = closed ? calendar.dayOf(closed.at) : undefined;
  const changeDays = changes.map((fact) => calendar.dayOf(fact.at));

  /** The team/risk cell the circulation is in at the end of `day`, or null when not open then. */
  const cellAtEndOf = (day: LocalDate): string | null => {
    if (day < circulatedDay || (closedDay !== undefined && closedDay <= day)) return null;
    let currentRisk = risk;
    let currentTop20 = top20 ?? false;
    changes.forEach((fact, index) => {
      const changeDay = changeDays[index];
      if (changeDay !== undefined && changeDay <= day) {
        const change = fact.p as WantedRiskChanged['payload'];
        currentRisk = change.risk;
        currentTop20 = change.top20 ?? currentTop20;
      }
    });
    return dimOf(team, currentRisk, currentTop20 ? 'top20' : '-');
  };
  const days = [...new Set([circulatedDay, ...changeDays, ...(closedDay ? [closedDay] : [])])].sort();
  let previous: string | null = null;
  for (const day of days) {
    const cell = cellAtEndOf(day);
    if (cell === previous) continue;
    if (previous !== null) builder.add(day, METRIC.wantedOpen, previous, -1);
    if (cell !== null) builder.add(day, METRIC.wantedOpen, cell, 1);
    previous = cell;
  }

  // It joins the "over 6 months" stock on the first day it is that old, if still open then.
  const agedDay = firstAsAtOlderThanMonths(circulatedDay, AGED_MONTHS);
  if (closedDay === undefined || closedDay > agedDay) {
    builder.add(agedDay, METRIC.wantedOpenOver6Months, '', 1);
    if (closedDay !== undefined) builder.add(closedDay, METRIC.wantedOpenOver6Months, '', -1);
  }

  builder.add(circulatedDay, METRIC.wantedCirculated, dimOf(team));
  if (closed?.type === 'wanted.arrested' && closedDay) {
    builder.add(closedDay, METRIC.wantedArrested, dimOf(team));
    builder.add(closedDay, METRIC.wantedDaysToArrest, dimOf(team, daysBetween(circulatedDay, closedDay)));
  } else if (closed && closedDay) {
    builder.add(closedDay, METRIC.wantedCancelled, dimOf(team));
  }
  const status = closed?.type === 'wanted.arrested' ? 'arrested' : closed ? 'cancelled' : 'open';
  return builder.build(status, circulated.at, closed?.at ?? null);
}
