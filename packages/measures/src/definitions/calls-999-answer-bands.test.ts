import { describe, expect, it } from 'vitest';
import { calls999AnswerBands } from './calls-999-answer-bands.ts';
import { calls999Rows } from './calls-999-answered-within-10s.ts';
import { measureInputOf } from './measure-input-of.ts';

const input = measureInputOf({ aggregates: calls999Rows({ 0: 10, 9: 884, 10: 1, 59: 99, 60: 2, 125: 4 }) });
const [under10s, from10To60, atLeast60] = calls999AnswerBands.map((band) => band.compute(input)[0]!);

describe('999 answering-time bands', () => {
  it('are the three police.uk bands, with ids by band', () => {
    expect(calls999AnswerBands.map((band) => band.id)).toEqual([
      'calls.999.band.under_10s',
      'calls.999.band.10_to_under_60s',
      'calls.999.band.60s_or_more',
    ]);
  });

  it('split answered calls at 10 s and 60 s exactly: 9.x s, 10.0 s, 59.x s and 60.0 s fall each side', () => {
    expect(under10s).toMatchObject({ numerator: 894, denominator: 1_000 });
    expect(from10To60).toMatchObject({ numerator: 100, denominator: 1_000, value: 10 });
    expect(atLeast60).toMatchObject({ numerator: 6, denominator: 1_000 });
    expect(under10s!.value).toBeCloseTo(89.4, 10);
    expect(atLeast60!.value).toBeCloseTo(0.6, 10);
  });

  it('add up to the calls answered, and say so for disclosure control', () => {
    expect(under10s!.numerator! + from10To60!.numerator! + atLeast60!.numerator!).toBe(1_000);
    for (const band of calls999AnswerBands)
      expect(band.additiveGroups).toEqual([{ total: 'calls.999.answered', partsPrefix: 'calls.999.answered.' }]);
    const cells = [under10s, from10To60, atLeast60].flatMap((result) =>
      Object.keys(result!.cells).filter((id) => id.startsWith('calls.999.answered.')),
    );
    expect(cells).toEqual([
      'calls.999.answered.under_10s',
      'calls.999.answered.10_to_under_60s',
      'calls.999.answered.60s_or_more',
    ]);
  });
});
