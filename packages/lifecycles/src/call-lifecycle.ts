import type { Calendar } from '@rollcall/calendar';
import type { CallAssessed, CallPresented } from '@rollcall/contract';
import { dimOf, METRIC, timeBinOf } from '@rollcall/contract';
import { type Fact, factsOfType } from './fact.ts';
import { flagExtras, type Lifecycle, LifecycleBuilder } from './lifecycle.ts';

/** The longest a call can wait for its answer or abandonment and still count: a day. */
export const MAX_CALL_WAIT_MS = 86_400_000;

/**
 * A call: `call.presented` → optionally `call.transferred` → exactly one of `call.answered` or
 * `call.abandoned`; optionally `call.assessed` after answer. Counted on the London day it was
 * presented (measures.md).
 *
 * - Without `call.presented` nothing is counted (status `pending`): the call's day, channel and
 *   BT transfer time are unknown until it arrives, late or not.
 * - The earliest answer-or-abandonment counts; further ones are flagged and ignored, as are
 *   ones timed before presentation (a negative wait is not a wait).
 * - An answer or abandonment more than 24 hours after presentation is flagged and ignored, like
 *   one before it: no caller waits a day on a line, so it is a clock or keying fault. With the
 *   contract's bound on `btTransferSeconds` (a day), one call adds at most two days of ms to a
 *   day's summed answering time, so the sums stay exact integers (far below 2^53) for any
 *   plausible number of calls (docs/feeds.md, "Bounds").
 * - A 999 call's answering time is `btTransferSeconds` + (answered − presented), in whole ms.
 * - A 101 call's transfer counts when it falls between presentation and the answer or
 *   abandonment (inclusive); the earliest such counts. One timed before presentation is flagged
 *   and ignored (the call did not exist yet); later ones, and one after the outcome, are ignored
 *   without a flag: they change nothing about a wait that was over (docs/decisions.md, 4).
 * - The queue a call is abandoned on is the secondary queue if it was transferred before the
 *   abandonment, otherwise the queue it was presented to.
 * - An assessment counts only on an answered call and only when timed at or after the answer
 *   (feeds.md: "after answer"); the latest such is the one on record. One timed earlier (so
 *   possibly before presentation too) is flagged and not counted, like every event a valid
 *   lifecycle cannot hold: counting it would put into the risk-assessed rate a record whose own
 *   times contradict it (a wrong `callId`, a clock fault), while the flag puts it in front of
 *   someone who can correct it, and a corrected event counts at once.
 */
export function interpretCall(facts: readonly Fact[], calendar: Calendar): Lifecycle {
  const builder = new LifecycleBuilder();
  const presentations = factsOfType(facts, 'call.presented');
  flagExtras(builder, presentations, 'call.presented');
  const presented = presentations[0];
  if (!presented) {
    builder.flag('awaiting call.presented: nothing counted until it arrives');
    return builder.build('pending', null, null);
  }
  const payload = presented.p as CallPresented['payload'];
  const day = calendar.dayOf(presented.at);
  builder.add(day, METRIC.callsPresented, payload.channel);

  const endings = factsOfType(facts, 'call.answered', 'call.abandoned');
  const afterPresentation = endings.filter((fact) => fact.at >= presented.at);
  if (afterPresentation.length < endings.length)
    builder.flag('answer or abandonment timed before call.presented: ignored');
  const validEndings = afterPresentation.filter((fact) => fact.at - presented.at <= MAX_CALL_WAIT_MS);
  if (validEndings.length < afterPresentation.length)
    builder.flag('answer or abandonment timed more than 24 hours after call.presented: ignored');
  flagExtras(builder, validEndings, 'call.answered or call.abandoned');
  const ending = validEndings[0];

  const transfers = factsOfType(facts, 'call.transferred');
  if (payload.channel === '999' && transfers.length > 0) builder.flag('call.transferred on a 999 call: ignored');
  let transfer: Fact | undefined;
  if (payload.channel === '101') {
    if (transfers.some((fact) => fact.at < presented.at))
      builder.flag('call.transferred timed before call.presented: ignored');
    transfer = transfers.find((fact) => fact.at >= presented.at && (!ending || fact.at <= ending.at));
  }
  if (transfer) builder.add(day, METRIC.calls101Transferred);
  const queueAtEnd = transfer ? 'secondary' : payload.queue;

  const assessments = factsOfType(facts, 'call.assessed');
  const elapsedMs = ending ? ending.at - presented.at : 0;
  if (ending?.type === 'call.answered') {
    builder.add(day, METRIC.callsAnswered, payload.channel);
    if (payload.channel === '999') {
      const answerMs = Math.round((payload.btTransferSeconds ?? 0) * 1000) + elapsedMs;
      builder.add(day, METRIC.calls999Answered);
      builder.add(day, METRIC.calls999AnswerMs, '', answerMs);
      builder.add(day, METRIC.calls999AnswerTimeBins, String(timeBinOf(answerMs)));
    } else {
      builder.add(day, METRIC.calls101Answered);
      builder.add(day, METRIC.calls101WaitMs, '', elapsedMs);
      builder.add(day, METRIC.calls101WaitBins, String(timeBinOf(elapsedMs)));
    }
    const afterAnswer = assessments.filter((fact) => fact.at >= ending.at);
    if (afterAnswer.length < assessments.length) builder.flag('call.assessed timed before call.answered: not counted');
    // The latest assessment is the one on record (a later one corrects an earlier one).
    const assessment = afterAnswer.at(-1);
    if (assessment) {
      const result = assessment.p as CallAssessed['payload'];
      builder.add(day, METRIC.callsAssessed, payload.channel);
      if (result.structuredRiskAssessment) builder.add(day, METRIC.callsAssessedStructuredRisk, payload.channel);
      if (result.repeatVictim) builder.add(day, METRIC.callsAssessedRepeatVictim, payload.channel);
      if (result.vulnerable) builder.add(day, METRIC.callsAssessedVulnerable, payload.channel);
    }
  } else if (ending?.type === 'call.abandoned') {
    if (payload.channel === '999') builder.add(day, METRIC.calls999Abandoned);
    else builder.add(day, METRIC.calls101AbandonedWaitBins, dimOf(queueAtEnd, timeBinOf(elapsedMs)));
    if (assessments.length > 0) builder.flag('call.assessed on an abandoned call: not counted');
  }
  const status = ending?.type === 'call.answered' ? 'answered' : ending ? 'abandoned' : 'waiting';
  return builder.build(status, presented.at, ending?.at ?? null);
}
