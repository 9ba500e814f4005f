import { describe, expect, it } from 'vitest';
import { formatFigures, formatValue, textTable } from './text-table.ts';

describe('formatFigures: what a measure value rests on, by its unit', () => {
  it.each<[string, number | null, number | null, string, string]>([
    ['a share: the two counts', 16_412, 18_378, 'percent', '16,412 / 18,378'],
    ['a count: the count', 507, null, 'count', '507'],
    ['a rate per 1,000: searches and residents', 507, 1_599_555, 'per-1000', '507 / 1,599,555'],
    [
      'a disproportionality ratio: the two rates per 1,000, to 3 figures',
      0.548_21,
      0.237_45,
      'ratio',
      '0.548 / 0.237 per 1,000',
    ],
    ['a ratio of larger rates', 12.345, 3.4567, 'ratio', '12.3 / 3.46 per 1,000'],
    ['a rate with a trailing zero keeps its 3 figures', 1.2, 0.2371, 'ratio', '1.20 / 0.237 per 1,000'],
    ['a ratio without rates', null, null, 'ratio', ''],
    ['a median: the count it is taken over', null, 18_378, 'seconds', 'n = 18,378'],
    ['a median in days', null, 14, 'days', 'n = 14'],
    ['a mean time: total seconds over the count', 183_781.6, 18_378, 'seconds', '183,782 s / 18,378'],
    ['a change on a year: this year and last', 258, 284, 'percent-change', '258 / 284'],
    ['a suppressed entry', null, null, 'percent', ''],
  ])('%s', (_, numerator, denominator, unit, expected) => {
    expect(formatFigures(numerator, denominator, unit)).toBe(expected);
  });
});

describe('formatValue', () => {
  it.each<[number, string, string]>([
    [89.25, 'percent', '89.3%'],
    [-9.15, 'percent-change', '-9.2%'],
    [4.2, 'percent-change', '+4.2%'],
    [18_378, 'count', '18,378'],
    [4.25, 'seconds', '4.3 s'],
    [147.5, 'days', '147.5 days'],
    [0.317, 'per-1000', '0.32 per 1,000'],
    [2.308, 'ratio', '2.31×'],
  ])('%d %s reads %s', (value, unit, expected) => {
    expect(formatValue(value, unit)).toBe(expected);
  });
});

describe('textTable', () => {
  it('pads columns to the widest cell, right-aligning numbers', () => {
    expect(
      textTable(
        ['feed', 'events'],
        [
          ['dvpo', '34'],
          ['call-handling', '1,787'],
        ],
        ['left', 'right'],
      ),
    ).toBe(
      ['feed           events', '-------------  ------', 'dvpo               34', 'call-handling   1,787'].join('\n'),
    );
  });
});
