import { describe, expect, it } from 'vitest';
import { METRIC } from '@rollcall/contract';
import { customPeriod } from '../periods.ts';
import { timeBinOf } from '@rollcall/contract';
import { calls999AnsweredWithin10s, calls999Rows } from './calls-999-answered-within-10s.ts';
import { measureInputOf, row } from './measure-input-of.ts';
import { entryOf, snapshotEntriesOf } from './snapshot-entries-of.ts';

describe('calls.999.answered_within_10s', () => {
  it('reproduces 89.4% of 10,000 answered calls, ± 0.6 points', () => {
    const [result] = calls999AnsweredWithin10s.compute(
      measureInputOf({ aggregates: calls999Rows({ 3: 5_000, 9: 3_940, 10: 1_000, 61: 60 }) }),
    );
    expect(result).toMatchObject({ numerator: 8_940, denominator: 10_000 });
    expect(result!.value).toBeCloseTo(89.4, 10);
    expect(result!.ci!.halfWidth).toBeCloseTo(0.6034, 4);
    expect(result!.cells).toEqual({ 'calls.999.answered.under_10s': 8_940, 'calls.999.answered': 10_000 });
  });

  it('counts 9.999 s as under 10 s and exactly 10.0 s as not', () => {
    const bins = { [timeBinOf(9_999)]: 1, [timeBinOf(10_000)]: 1 };
    expect(calls999AnsweredWithin10s.compute(measureInputOf({ aggregates: calls999Rows(bins) }))[0]).toMatchObject({
      value: 50,
      numerator: 1,
      denominator: 2,
    });
  });

  it('has no value without answered calls', () => {
    expect(calls999AnsweredWithin10s.compute(measureInputOf())[0]).toMatchObject({
      value: null,
      numerator: 0,
      denominator: 0,
      ci: null,
    });
  });

  it('is published against the 90% target, for the PEEL window ending on a month end, and nearly met at 89.4% (its 95% interval, 88.8% to 90.0%, reaches 90%)', () => {
    const peel = customPeriod('peel-2021-22', 'PEEL 2021/22', '2021-11-01', '2022-07-31');
    const daily = [
      // 31 October 2021 and 1 August 2022 are outside the window; its first and last days are in.
      { day: '2021-10-31', ...row(METRIC.calls999Answered, '', 100) },
      { day: '2021-10-31', ...row(METRIC.calls999AnswerTimeBins, '30', 100) },
      { day: '2021-11-01', ...row(METRIC.calls999Answered, '', 5_000) },
      { day: '2021-11-01', ...row(METRIC.calls999AnswerTimeBins, '5', 4_470) },
      { day: '2021-11-01', ...row(METRIC.calls999AnswerTimeBins, '12', 530) },
      { day: '2022-07-31', ...row(METRIC.calls999Answered, '', 5_000) },
      { day: '2022-07-31', ...row(METRIC.calls999AnswerTimeBins, '9', 4_470) },
      { day: '2022-07-31', ...row(METRIC.calls999AnswerTimeBins, '10', 530) },
    ];
    const entries = snapshotEntriesOf([calls999AnsweredWithin10s], {
      asOf: '2022-08-01',
      daily,
      customPeriods: [peel],
    });
    const entry = entryOf(entries, 'calls.999.answered_within_10s', 'custom:peel-2021-22');
    expect(entry).toMatchObject({ numerator: 8_940, denominator: 10_000, target: 90, status: 'nearly met', flags: [] });
    expect(entry.value).toBeCloseTo(89.4, 10);
    expect(entryOf(entries, 'calls.999.answered_within_10s', 'month')).toMatchObject({
      value: null,
      numerator: 0,
      denominator: 0,
      flags: ['[z]', '[p]'],
    });
  });
});
