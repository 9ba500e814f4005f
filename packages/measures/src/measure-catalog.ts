import { calls999AnsweredWithin10s } from './definitions/calls-999-answered-within-10s.ts';
import { dvpoApplied, dvpoGranted } from './definitions/dvpo-counts.ts';
import { stopsearchCount } from './definitions/stopsearch-count.ts';
import { wantedOnPncOver6Months } from './definitions/wanted-on-pnc-over-6-months.ts';
import type { MeasureDefinition } from './measure-definition.ts';

/** Every published measure, in the order snapshots and documentation list them. */
export const MEASURES: readonly MeasureDefinition[] = [calls999AnsweredWithin10s, wantedOnPncOver6Months, dvpoApplied, dvpoGranted, stopsearchCount];

export function measureById(id: string): MeasureDefinition | undefined {
  return MEASURES.find((measure) => measure.id === id);
}
