/**
 * The vocabulary of the daily aggregates: what the lifecycles add per London day, and what the
 * measures read. Every value is an integer (a count, or a sum of milliseconds) so that sums are
 * exact and independent of the order events arrived in.
 *
 * Two kinds of metric:
 * - **flows** are counted on the day of the event that starts the thing measured (a call on the
 *   day it was presented); a period's value is the sum over its days;
 * - **stocks** (`STOCK_METRICS`) are +1/-1 changes of an end-of-day state (a circulation
 *   opening, closing, changing risk); the value as at a day is the sum over every day up to it.
 *
 * `dim` carries the breakdown, parts joined by `|` (e.g. `emergency|urban|14`).
 */
export const METRIC = {
  /** Calls presented; dim: channel (`999`, `101`). */
  callsPresented: 'calls.presented',
  /** 999 calls answered; dim ''. */
  calls999Answered: 'calls.999.answered',
  /** Sum of 999 answering times in ms (BT transfer + presented to answered). */
  calls999AnswerMs: 'calls.999.answer_ms',
  /** 999 answering times; dim: lower bound of the time bin in seconds (see `timeBinOf`). */
  calls999AnswerTimeBins: 'calls.999.answer_bins',
  calls999Abandoned: 'calls.999.abandoned',
  calls101Answered: 'calls.101.answered',
  /** Sum of 101 waits (presented to answered) in ms. */
  calls101WaitMs: 'calls.101.wait_ms',
  /** 101 waits of answered calls; dim: time bin lower bound in seconds. */
  calls101WaitBins: 'calls.101.wait_bins',
  /** 101 calls transferred to the secondary queue. */
  calls101Transferred: 'calls.101.transferred',
  /** 101 calls abandoned; dim: `queue|bin` with the wait from presentation binned in seconds. */
  calls101AbandonedWaitBins: 'calls.101.abandoned_bins',
  /** Answered calls; dim: channel (denominator of the risk-assessment rate). */
  callsAnswered: 'calls.answered',
  /** Answered calls with a `call.assessed`; dim: channel. */
  callsAssessed: 'calls.assessed',
  callsAssessedStructuredRisk: 'calls.assessed.structured_risk',
  callsAssessedRepeatVictim: 'calls.assessed.repeat_victim',
  callsAssessedVulnerable: 'calls.assessed.vulnerable',

  /** Incidents by first grading day; dim: `grade|area` (grade: the last before attendance). */
  incidentsGraded: 'incidents.graded',
  /** Attended incidents; dim: `grade|area|minutes`, minutes from first grading rounded up. */
  incidentsAttendedMinutes: 'incidents.attended_minutes',
  /** Incidents with no attendance; dim: `grade|area`. */
  incidentsUnattended: 'incidents.unattended',
  /**
   * STOCK: incidents with no attendance, as at the end of their first grading's day only (+1 that
   * day, -1 the next); dim: `grade|area|minutes`, the minutes from the first grading to the end of
   * that day, rounded up. With a force's target T, those with minutes <= T were not yet due then
   * (graded at 23:55 with 15 minutes to go), whatever the targets were when they were counted.
   */
  incidentsUnattendedAtDayEnd: 'incidents.unattended_at_day_end',

  /** Circulations by circulation day; dim: team. */
  wantedCirculated: 'wanted.circulated',
  /** STOCK: open circulations; dim: `team|risk|top20` where top20 is `top20` or `-`. */
  wantedOpen: 'wanted.open',
  /** STOCK: open circulations circulated more than 6 calendar months before the end of the day. */
  wantedOpenOver6Months: 'wanted.open_over_6_months',
  /** Circulations closed by arrest, by arrest day; dim: team. */
  wantedArrested: 'wanted.arrested',
  /** Days from circulation to arrest (London calendar days), by arrest day; dim: `team|days`. */
  wantedDaysToArrest: 'wanted.days_to_arrest',
  /** Circulations cancelled, by cancellation day; dim: team. */
  wantedCancelled: 'wanted.cancelled',

  dvpnAuthorised: 'dvpn.authorised',
  /** Breaches of an authorised DVPN, by breach day. */
  dvpnBreached: 'dvpn.breached',
  dvpoApplied: 'dvpo.applied',
  /** Court decisions by decision day; dim: outcome. */
  dvpoDecided: 'dvpo.decided',
  /** Breaches of a granted DVPO, by breach day. */
  dvpoBreached: 'dvpo.breached',
  /** Domestic-abuse crimes by recording day. */
  domesticAbuseCrimes: 'domestic_abuse.crimes',
  /** Of those, crimes with a `protection.considered` event; dim: `true`/`false` (the latest answer). */
  domesticAbuseProtectionConsidered: 'domestic_abuse.protection_considered',

  /** Searches by recording day; dim: search type. */
  searches: 'stopsearch.searches',
  /** Searches; dim: ethnic group (asian, black, mixed, other, white, not-recorded). */
  searchesByEthnicGroup: 'stopsearch.by_ethnic_group',
  /** Searches whose ethnicity string was not recognised (counted as not recorded, and reported). */
  searchesEthnicityUnrecognised: 'stopsearch.ethnicity_unrecognised',
  /** Searches; dim: normalised outcome. */
  searchesByOutcome: 'stopsearch.by_outcome',
  /** Searches; dim: `true`, `false` or `null` (outcome linked to the object of the search). */
  searchesByOutcomeLinked: 'stopsearch.by_outcome_linked',
  /** Grounds reviews by review day; dim: `group|true` or `group|false` (reasonable grounds recorded). */
  searchesGroundsReviewed: 'stopsearch.grounds_reviewed',
} as const;

/**
 * Figures that are not daily aggregates but read from entity state when a snapshot is published,
 * as at the end of the as-of day; they appear only in `asAtEnd` of periods ending on that day.
 * A call unresolved for more than 24 hours is lost data (its end never arrived), left out, not a call still waiting.
 */
export const AS_AT_METRIC = {
  /**
   * Calls presented in the 24 hours before the end of the day and not answered or abandoned by then; dim:
   * `channel|queue`.
   */
  callsWaiting: 'calls.waiting_as_at',
  /** The longest of those waits, in ms; dim: `channel|queue`. Not additive: read per dimension. */
  callsLongestWaitMs: 'calls.longest_wait_ms_as_at',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];

export const STOCK_METRICS: ReadonlySet<string> = new Set<string>([
  METRIC.wantedOpen,
  METRIC.wantedOpenOver6Months,
  METRIC.incidentsUnattendedAtDayEnd,
]);

/**
 * Joins the parts of a dimension; `|` inside a part (a team name) becomes `/`. Built by
 * concatenation, without an array per call: interpreters call it for every contribution.
 */
export const dimOf = (...parts: readonly (string | number | boolean | null)[]): string => {
  let dim = '';
  for (let index = 0; index < parts.length; index++) {
    const text = String(parts[index]);
    const part = text.includes('|') ? text.replaceAll('|', '/') : text;
    dim = index === 0 ? part : `${dim}|${part}`;
  }
  return dim;
};
