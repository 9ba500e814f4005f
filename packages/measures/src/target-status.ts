import type { PublishedInterval } from './measure-definition.ts';

/**
 * `interval-reaches-target`: a value that misses its target while its 95% confidence interval
 * reaches it is `nearly met` (amber): the shortfall is within what chance alone could produce
 * (measures.md, "Target status"). `off`: met or not met only.
 */
export type NearlyMetRule = 'interval-reaches-target' | 'off';
export const DEFAULT_NEARLY_MET_RULE: NearlyMetRule = 'interval-reaches-target';

export type TargetStatus = 'met' | 'nearly met' | 'not met';

/** A value's status against its target, reading its interval under the `nearlyMet` rule. */
export function targetStatus(
  value: number,
  target: { readonly value: number; readonly rule: 'at-least' | 'below' },
  ci: PublishedInterval | null | undefined,
  rule: NearlyMetRule = DEFAULT_NEARLY_MET_RULE,
): TargetStatus {
  const met = target.rule === 'at-least' ? value >= target.value : value < target.value;
  if (met) return 'met';
  if (rule === 'off' || !ci) return 'not met';
  const reaches = target.rule === 'at-least' ? ci.upper >= target.value : ci.lower < target.value;
  return reaches ? 'nearly met' : 'not met';
}
