import { callAssessmentMeasures } from './definitions/call-assessment-measures.ts';
import { calls101MedianWaitSeconds } from './definitions/calls-101-median-wait-seconds.ts';
import { calls999AnswerBands } from './definitions/calls-999-answer-bands.ts';
import { calls999AnswerTimeMeasures } from './definitions/calls-999-answer-time-measures.ts';
import { calls999AnsweredWithin10s } from './definitions/calls-999-answered-within-10s.ts';
import {
  calls101AbandonedRate,
  calls101SecondaryAbandonedRate,
  calls999AbandonedRate,
} from './definitions/calls-abandonment-measures.ts';
import { callsLiveMeasures } from './definitions/calls-live-measures.ts';
import { dvpoApplicationsChange } from './definitions/dvpo-applications-change.ts';
import { dvpoCounts } from './definitions/dvpo-counts.ts';
import { dvpoGrantRate } from './definitions/dvpo-grant-rate.ts';
import { incidentsAttendedWithinTarget } from './definitions/incidents-attended-within-target.ts';
import { protectionConsideredRecordedRate } from './definitions/protection-considered-recorded-rate.ts';
import { stopsearchCount } from './definitions/stopsearch-count.ts';
import { stopsearchDisproportionality } from './definitions/stopsearch-disproportionality.ts';
import { stopsearchEthnicityRecordedRate } from './definitions/stopsearch-ethnicity-recorded-rate.ts';
import { stopsearchFindRate, stopsearchOutcomeRates } from './definitions/stopsearch-outcome-rates.ts';
import { stopsearchRatePer1000 } from './definitions/stopsearch-rate-per-1000.ts';
import { stopsearchReasonableGroundsRate } from './definitions/stopsearch-reasonable-grounds-rate.ts';
import { wantedMedianDaysToArrest } from './definitions/wanted-median-days-to-arrest.ts';
import { wantedOnPncOver6Months } from './definitions/wanted-on-pnc-over-6-months.ts';
import { wantedOpenMeasures } from './definitions/wanted-open-measures.ts';
import type { MeasureDefinition } from './measure-definition.ts';

/**
 * Every published measure, in the order snapshots and documentation list them: the feeds in the
 * order of measures.md (call handling, wanted persons, DVPO, stop and search), and within a feed
 * the order of its table.
 */
export const MEASURES: readonly MeasureDefinition[] = [
  calls999AnsweredWithin10s,
  ...calls999AnswerBands,
  ...calls999AnswerTimeMeasures,
  calls999AbandonedRate,
  calls101MedianWaitSeconds,
  calls101AbandonedRate,
  calls101SecondaryAbandonedRate,
  ...callsLiveMeasures,
  ...callAssessmentMeasures,
  incidentsAttendedWithinTarget,

  wantedOnPncOver6Months,
  ...wantedOpenMeasures,
  wantedMedianDaysToArrest,

  ...dvpoCounts,
  dvpoGrantRate,
  dvpoApplicationsChange,
  protectionConsideredRecordedRate,

  stopsearchCount,
  stopsearchRatePer1000,
  ...stopsearchDisproportionality,
  stopsearchEthnicityRecordedRate,
  stopsearchReasonableGroundsRate,
  ...stopsearchOutcomeRates,
  stopsearchFindRate,
];

export function measureById(id: string): MeasureDefinition | undefined {
  return MEASURES.find((measure) => measure.id === id);
}
