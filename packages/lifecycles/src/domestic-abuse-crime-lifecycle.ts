import type { Calendar } from '@rollcall/calendar';
import type { ProtectionConsidered } from '@rollcall/contract';
import { METRIC } from '@rollcall/contract';
import { type Fact, factsOfType } from './fact.ts';
import { flagExtras, type Lifecycle, LifecycleBuilder } from './lifecycle.ts';

/**
 * A domestic-abuse crime (`crimeRef`) and whether a protection notice or order was recorded as
 * considered for it. Counted on the day the crime was recorded; the absence of a
 * `protection.considered` means "not recorded" (feeds.md). The latest answer is the one on record.
 */
export function interpretDomesticAbuseCrime(facts: readonly Fact[], calendar: Calendar): Lifecycle {
  const builder = new LifecycleBuilder();
  const recordings = factsOfType(facts, 'domestic-abuse.crime-recorded');
  flagExtras(builder, recordings, 'domestic-abuse.crime-recorded');
  const recorded = recordings[0];
  if (!recorded) {
    builder.flag('awaiting domestic-abuse.crime-recorded: nothing counted until it arrives');
    return builder.build('pending', null, null);
  }
  const day = calendar.dayOf(recorded.at);
  builder.add(day, METRIC.domesticAbuseCrimes);
  const considered = factsOfType(facts, 'protection.considered').at(-1);
  if (considered) {
    builder.add(
      day,
      METRIC.domesticAbuseProtectionConsidered,
      String((considered.p as ProtectionConsidered['payload']).considered),
    );
  }
  return builder.build(considered ? 'consideration recorded' : 'consideration not recorded', recorded.at, null);
}
