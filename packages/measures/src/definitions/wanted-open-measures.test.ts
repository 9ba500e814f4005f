import { describe, expect, it } from 'vitest';
import { measureInputOf } from './measure-input-of.ts';
import { wantedOpenRows } from './wanted-on-pnc-over-6-months.ts';
import { wantedOpen, wantedOpenHighRisk } from './wanted-open-measures.ts';

describe('wanted.open and wanted.open_high_risk', () => {
  // Stocks as at a day: +1/-1 changes summed, so a team/risk cell can net to zero.
  const input = measureInputOf({
    aggregates: wantedOpenRows({
      'North|high|top20': 20,
      'North|high|-': 300,
      'South|high|-': 152,
      'North|medium|-': 1_070,
      'South|low|-': 1_000,
      'West|high|-': 0,
    }),
  });

  it('reproduce 2,542 wanted persons with 472 of them high risk', () => {
    expect(wantedOpen.compute(input)).toEqual([
      { value: 2_542, numerator: 2_542, denominator: null, cells: { 'wanted.open': 2_542 } },
    ]);
    expect(wantedOpenHighRisk.compute(input)).toEqual([
      {
        value: 472,
        numerator: 472,
        denominator: null,
        cells: { 'wanted.open.high_risk': 472 },
        // Beside wanted.open, the 2,070 circulations not at high risk.
        impliedCells: { '(wanted.open − wanted.open.high_risk)': 2_070 },
        cellSums: [{ total: 'wanted.open', parts: ['wanted.open.high_risk', '(wanted.open − wanted.open.high_risk)'] }],
      },
    ]);
  });

  it('are zero with nothing open', () => {
    expect(wantedOpen.compute(measureInputOf())[0]!.value).toBe(0);
    expect(wantedOpenHighRisk.compute(measureInputOf())[0]!.value).toBe(0);
  });
});
