import { describe, expect, it } from 'vitest';
import { compareWithGroup, type GroupEntry } from './group-comparison.ts';

const entry = (force: string, numerator: number, denominator: number, scale = 1): GroupEntry => ({
  force,
  numerator,
  denominator,
  value: (numerator / denominator) * scale,
});

const incomplete = (force: string): GroupEntry => ({
  force,
  numerator: null,
  denominator: null,
  value: null,
});

describe('compareWithGroup: Avon and Somerset against its MSG (worked example)', () => {
  // 999 calls answered within 10 s, higher is better. Hertfordshire lacks a month.
  // Σ numerators = 8000 + 4300 + 9000 + 10200 + 10500 + 380 + 390 = 42,770;
  // Σ denominators = 10000 + 5000 + 11000 + 12000 + 13000 + 400 + 400 = 51,800;
  // weighted average 42770 / 51800 = 0.8256757, and 0.80 is 3.11% under it: "similar to".
  // The simple mean of the seven values is 0.8658392, which 0.80 is 7.60% under: it would have
  // said "below" because two small forces (400 calls each) at 95% and 97.5% count as two votes.
  const entries: GroupEntry[] = [
    entry('avon-and-somerset', 8000, 10000),
    entry('derbyshire', 4300, 5000),
    entry('essex', 9000, 11000),
    entry('hampshire', 10200, 12000),
    incomplete('hertfordshire'),
    entry('kent', 10500, 13000),
    entry('staffordshire', 380, 400),
    entry('sussex', 390, 400),
  ];
  const result = compareWithGroup({
    force: 'avon-and-somerset',
    entries,
    direction: 'higher-is-better',
    scale: 1,
  });

  it('uses the weighted average, not the mean of values', () => {
    expect(result.average).toBeCloseTo(0.8256757, 7);
    const simpleMean = entries.reduce((sum, e) => sum + (e.value ?? 0), 0) / entries.filter((e) => e.value).length;
    expect(simpleMean).toBeCloseTo(0.8658392, 7);
  });

  it('compares with the weighted average: similar to, not below', () => {
    expect(result.differencePercent).toBeCloseTo(-3.109656, 6);
    expect(result.comparison).toBe('similar to');
  });

  it('ranks among the forces with complete data and lists the ones left out', () => {
    expect(result.rank).toEqual({ position: 7, of: 7, label: '7/7', interval: null });
    expect(result.leftOut).toEqual(['hertfordshire']);
  });

  it('gives the rank its 95% interval when numerators count calls (checked in Python)', () => {
    // Wilson intervals at 1 − 0.05/7: Avon 0.7890–0.8105, Essex 0.8081–0.8279, Kent 0.7982–0.8168
    // meet; Derbyshire 0.8463–0.8727 and Hampshire 0.8410–0.8586 lie wholly above them, and so do
    // Staffordshire and Sussex (400 calls each, 0.9119 and above): Avon is 7th, 5th to 7th.
    const counted = compareWithGroup({
      force: 'avon-and-somerset',
      entries,
      direction: 'higher-is-better',
      scale: 1,
      numeratorsAreCounts: true,
    });
    expect(counted.rank?.interval).toMatchObject({ best: 5, worst: 7, of: 7 });
    const sussex = compareWithGroup({
      force: 'sussex',
      entries,
      direction: 'higher-is-better',
      scale: 1,
      numeratorsAreCounts: true,
    });
    expect(sussex.rank).toMatchObject({ position: 1, interval: { best: 1, worst: 2 } });
  });

  it('calls a small force "similar to" the average when its own 95% interval holds it, beyond ±5%', () => {
    // 18 of 20 = 90%, 9% above the weighted average of about 82.6%; Wilson 95%: 69.9% to 97.2%.
    const withTiny = [...entries, entry('tiny', 18, 20)];
    const counted = compareWithGroup({
      force: 'tiny',
      entries: withTiny,
      direction: 'higher-is-better',
      scale: 1,
      numeratorsAreCounts: true,
    });
    expect(counted.differencePercent).toBeGreaterThan(5);
    expect(counted.comparison).toBe('similar to');
    expect(
      compareWithGroup({ force: 'tiny', entries: withTiny, direction: 'higher-is-better', scale: 1 }).comparison,
    ).toBe('higher than');
    // Staffordshire's 380 of 400 (95%, interval 92.4% to 96.7%) is surely above it.
    expect(
      compareWithGroup({
        force: 'staffordshire',
        entries: withTiny,
        direction: 'higher-is-better',
        scale: 1,
        numeratorsAreCounts: true,
      }).comparison,
    ).toBe('higher than');
  });

  it('ranks the best force first', () => {
    const sussex = compareWithGroup({
      force: 'sussex',
      entries,
      direction: 'higher-is-better',
      scale: 1,
    });
    expect(sussex.rank?.label).toBe('1/7');
    expect(sussex.comparison).toBe('higher than');
  });
});

describe('compareWithGroup: a per 1,000 rate where lower is better', () => {
  // Rates per 1,000: a 3.0, b 3.0, c 5.0, d 3.0, e 10.0 (a small force of 1,000).
  // Weighted average 565 / 146,000 × 1000 = 3.8698630; the simple mean is 24 / 5 = 4.8.
  const entries = [
    entry('a', 120, 40000, 1000),
    entry('b', 90, 30000, 1000),
    entry('c', 300, 60000, 1000),
    entry('d', 45, 15000, 1000),
    entry('e', 10, 1000, 1000),
  ];
  const compare = (force: string) => compareWithGroup({ force, entries, direction: 'lower-is-better', scale: 1000 });

  it('scales the weighted average', () => {
    expect(compare('a').average).toBeCloseTo(3.869863, 6);
  });

  it('gives tied forces the better rank', () => {
    expect(compare('a').rank?.label).toBe('1/5');
    expect(compare('b').rank?.label).toBe('1/5');
    expect(compare('d').rank?.label).toBe('1/5');
    expect(compare('c').rank?.label).toBe('4/5');
    expect(compare('e').rank?.label).toBe('5/5');
  });

  it('says higher than where the simple mean would have said similar to', () => {
    // c: 5.0 is +29.2% over 3.87; against 4.8 it would be +4.2%, inside ±5%.
    expect(compare('c').differencePercent).toBeCloseTo(29.20354, 6);
    expect(compare('c').comparison).toBe('higher than');
    expect(compare('a').comparison).toBe('below');
  });
});

describe('compareWithGroup boundaries and gaps', () => {
  // 105/100 and 95/100: average exactly 1.0, values exactly ±5% of it.
  const entries = [entry('x', 105, 100), entry('y', 95, 100)];

  it('counts exactly ±5% as similar to', () => {
    const common = { entries, direction: 'higher-is-better', scale: 1 } as const;
    expect(compareWithGroup({ force: 'x', ...common })).toMatchObject({
      differencePercent: 5,
      comparison: 'similar to',
    });
    expect(compareWithGroup({ force: 'y', ...common }).comparison).toBe('similar to');
    expect(compareWithGroup({ force: 'x', ...common, similarWithinPercent: 4.9 }).comparison).toBe('higher than');
  });

  it('gives no rank or comparison when the force itself lacks data, but still an average', () => {
    const result = compareWithGroup({
      force: 'z',
      entries: [...entries, incomplete('z')],
      direction: 'higher-is-better',
      scale: 1,
    });
    expect(result).toEqual({
      force: 'z',
      rank: null,
      average: 1,
      differencePercent: null,
      comparison: null,
      similarWithinPercent: 5,
      leftOut: ['z'],
    });
  });

  it('treats an entry with any part missing as incomplete', () => {
    const result = compareWithGroup({
      force: 'x',
      entries: [...entries, { force: 'w', numerator: 5, denominator: null, value: 0.5 }],
      direction: 'higher-is-better',
      scale: 1,
    });
    expect(result.leftOut).toEqual(['w']);
    expect(result.rank?.label).toBe('1/2');
  });

  it('has no average when no force has complete data', () => {
    const result = compareWithGroup({
      force: 'x',
      entries: [incomplete('x'), incomplete('y')],
      direction: 'lower-is-better',
      scale: 1,
    });
    expect(result.average).toBeNull();
    expect(result.leftOut).toEqual(['x', 'y']);
  });

  it('rejects a force missing from its own group, duplicates and a bad scale', () => {
    const common = { direction: 'higher-is-better', scale: 1 } as const;
    expect(() => compareWithGroup({ force: 'q', entries, ...common })).toThrow(RangeError);
    expect(() => compareWithGroup({ force: 'x', entries: [...entries, entry('x', 1, 2)], ...common })).toThrow(
      RangeError,
    );
    expect(() => compareWithGroup({ force: 'x', entries, direction: 'higher-is-better', scale: 0 })).toThrow(
      RangeError,
    );
  });
});
