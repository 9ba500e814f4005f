import { describe, expect, it } from 'vitest';
import { METRIC } from '@rollcall/contract';
import {
  calls101AbandonedRate,
  calls101SecondaryAbandonedRate,
  calls999AbandonedRate,
} from './calls-abandonment-measures.ts';
import { measureInputOf, row } from './measure-input-of.ts';
import { entryOf, snapshotEntriesOf } from './snapshot-entries-of.ts';

/**
 * 1,000 101 calls, 200 transferred; abandoned: primary 20 at 30 s, 15 at 59 s, 25 at 60 s; secondary 10 at 45 s, 40 at
 * 600 s.
 */
const calls101 = [
  row(METRIC.callsPresented, '101', 1_000),
  row(METRIC.callsPresented, '999', 300),
  row(METRIC.calls101Transferred, '', 200),
  row(METRIC.calls101AbandonedWaitBins, 'primary|30', 20),
  row(METRIC.calls101AbandonedWaitBins, 'primary|59', 15),
  row(METRIC.calls101AbandonedWaitBins, 'primary|60', 25),
  row(METRIC.calls101AbandonedWaitBins, 'secondary|45', 10),
  row(METRIC.calls101AbandonedWaitBins, 'secondary|600', 40),
];

describe('calls.999.abandoned_rate', () => {
  it('is 999 calls abandoned ÷ 999 calls presented', () => {
    const input = measureInputOf({
      aggregates: [
        row(METRIC.callsPresented, '999', 2_000),
        row(METRIC.callsPresented, '101', 5_000),
        row(METRIC.calls999Abandoned, '', 30),
      ],
    });
    expect(calls999AbandonedRate.compute(input)).toEqual([
      {
        value: 1.5,
        numerator: 30,
        denominator: 2_000,
        cells: { 'calls.999.abandoned': 30, 'calls.999.presented': 2_000 },
        impliedCells: { '(calls.999.presented − calls.999.abandoned)': 1_970 },
        cellSums: [
          {
            total: 'calls.999.presented',
            parts: ['calls.999.abandoned', '(calls.999.presented − calls.999.abandoned)'],
          },
        ],
      },
    ]);
  });
});

describe('calls.101.abandoned_rate', () => {
  it('counts every abandonment with the default minimum wait of 0 s', () => {
    expect(calls101AbandonedRate.compute(measureInputOf({ aggregates: calls101 }))[0]).toMatchObject({
      value: 11,
      numerator: 110,
      denominator: 1_000,
    });
  });

  it("counts only abandonments after at least 60 s with Avon and Somerset's setting: 59.x s is out, 60.0 s is in", () => {
    const [result] = calls101AbandonedRate.compute(
      measureInputOf({ aggregates: calls101, settings: { abandonMinWaitSeconds: 60 } }),
    );
    expect(result).toMatchObject({ value: 6.5, numerator: 65, denominator: 1_000 });
    expect(result!.notes).toBeUndefined();
  });

  it('says when the minimum wait is not a bin edge, leaving out the bin that holds it', () => {
    const aggregates = [
      row(METRIC.callsPresented, '101', 100),
      row(METRIC.calls101AbandonedWaitBins, 'primary|120', 3),
      row(METRIC.calls101AbandonedWaitBins, 'primary|125', 2),
    ];
    const [result] = calls101AbandonedRate.compute(
      measureInputOf({ aggregates, settings: { abandonMinWaitSeconds: 122 } }),
    );
    expect(result).toMatchObject({
      numerator: 2,
      notes: ['abandonMinWaitSeconds 122 is not a time-bin edge: abandonments in the bin holding it are left out'],
    });
  });

  it('is judged against the benchmark: met only below 5%', () => {
    const daily = (abandoned: number) => [
      { day: '2022-03-31', ...row(METRIC.callsPresented, '101', 1_000) },
      { day: '2022-03-31', ...row(METRIC.calls101AbandonedWaitBins, 'primary|90', abandoned) },
    ];
    const status = (abandoned: number) =>
      entryOf(
        snapshotEntriesOf([calls101AbandonedRate], { asOf: '2022-03-31', daily: daily(abandoned) }),
        'calls.101.abandoned_rate',
        'month',
      );
    expect(status(49)).toMatchObject({ value: 4.9, target: 5, status: 'met' });
    expect(status(50)).toMatchObject({ value: 5, target: 5, status: 'not met' });
  });
});

describe('calls.101.secondary_abandoned_rate', () => {
  it('is abandoned on the secondary queue ÷ transferred to it, with the same minimum wait', () => {
    expect(calls101SecondaryAbandonedRate.compute(measureInputOf({ aggregates: calls101 }))[0]).toMatchObject({
      value: 25,
      numerator: 50,
      denominator: 200,
    });
    expect(
      calls101SecondaryAbandonedRate.compute(
        measureInputOf({ aggregates: calls101, settings: { abandonMinWaitSeconds: 60 } }),
      )[0],
    ).toMatchObject({
      value: 20,
      numerator: 40,
      denominator: 200,
      cells: { 'calls.101.abandoned_on_secondary': 40, 'calls.101.transferred': 200 },
    });
  });
});
