import { describe, expect, it } from 'vitest';
import { METRIC } from '@rollcall/contract';
import { dvpoGrantRate } from './dvpo-grant-rate.ts';
import { measureInputOf, row } from './measure-input-of.ts';

describe('dvpo.grant_rate', () => {
  it('is granted ÷ all decisions, with every outcome as a cell so a small refused count stays hidden', () => {
    const input = measureInputOf({
      aggregates: [
        row(METRIC.dvpoDecided, 'granted', 232),
        row(METRIC.dvpoDecided, 'refused', 9),
        row(METRIC.dvpoDecided, 'withdrawn', 4),
      ],
    });
    const [result] = dvpoGrantRate.compute(input);
    expect(result).toMatchObject({ numerator: 232, denominator: 245 });
    expect(result!.value).toBeCloseTo((232 / 245) * 100, 10);
    expect(result!.cells).toEqual({
      'dvpo.decided.granted': 232,
      'dvpo.decided': 245,
      'dvpo.decided.refused': 9,
      'dvpo.decided.withdrawn': 4,
    });
  });

  it('lists outcomes with no decisions as zero cells, and has no value without decisions', () => {
    expect(dvpoGrantRate.compute(measureInputOf())).toEqual([
      {
        value: null,
        numerator: 0,
        denominator: 0,
        cells: { 'dvpo.decided.granted': 0, 'dvpo.decided': 0, 'dvpo.decided.refused': 0, 'dvpo.decided.withdrawn': 0 },
        impliedCells: { '(dvpo.decided − dvpo.decided.granted)': 0 },
        cellSums: [{ total: 'dvpo.decided', parts: ['dvpo.decided.granted', '(dvpo.decided − dvpo.decided.granted)'] }],
      },
    ]);
  });
});
