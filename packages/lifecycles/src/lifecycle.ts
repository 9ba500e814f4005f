import type { Calendar, LocalDate } from '@rollcall/calendar';
import type { Contribution } from './contribution.ts';
import type { Fact } from './fact.ts';

/**
 * What an entity's facts mean: where it stands, what looks wrong, and what it adds to the daily
 * aggregates. A pure function of the fact set; never of arrival order or the clock.
 */
export interface Lifecycle {
  /** Kind-specific state, e.g. `waiting`, `answered`, `pending` (a needed starting event is missing). */
  readonly status: string;
  /** When the thing measured started (a call presented, a circulation made), epoch ms. */
  readonly startedAt: number | null;
  readonly endedAt: number | null;
  /**
   * Anomalies found, as stable sentences (they are grouped in reports): an event that a valid
   * lifecycle cannot contain is never silently applied, it is named here and left out.
   */
  readonly flags: readonly string[];
  readonly contributions: readonly Contribution[];
}

export type Interpreter = (facts: readonly Fact[], calendar: Calendar) => Lifecycle;

/** Collects contributions and flags while an interpreter walks the facts. */
export class LifecycleBuilder {
  private readonly contributions: Contribution[] = [];
  private readonly flagSet = new Set<string>();

  add(day: LocalDate, metric: string, dim = '', value = 1): void {
    if (value !== 0) this.contributions.push({ day, metric, dim, value });
  }

  flag(text: string): void {
    this.flagSet.add(text);
  }

  build(status: string, startedAt: number | null, endedAt: number | null): Lifecycle {
    return { status, startedAt, endedAt, flags: [...this.flagSet].sort(), contributions: this.contributions };
  }
}

/** Flags `extra` facts beyond the first that counts, e.g. a second `call.answered`. */
export function flagExtras(builder: LifecycleBuilder, facts: readonly Fact[], what: string): void {
  if (facts.length > 1) builder.flag(`more than one ${what}: the earliest counts, later ones are ignored`);
}
