import { describe, expect, it } from 'vitest';
import { type Contribution, contributionDeltas } from './contribution.ts';

/** A few days, metrics and dims, so that contributions share keys often. */
function randomContributions(count: number, seed: number): Contribution[] {
  let state = seed;
  const next = (n: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state % n;
  };
  return Array.from({ length: count }, () => ({
    day: `2024-01-0${1 + next(3)}`,
    metric: ['calls.presented', 'calls.answered', 'searches'][next(3)] ?? '',
    dim: ['999', '101', ''][next(3)] ?? '',
    value: next(5) - 1,
  }));
}

/** The deltas as one would write them by hand: per key, after minus before, zeros left out. */
function expectedDeltas(before: readonly Contribution[], after: readonly Contribution[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const [list, sign] of [
    [after, 1],
    [before, -1],
  ] as const)
    for (const c of list) {
      const key = `${c.day} ${c.metric} ${c.dim}`;
      sums[key] = (sums[key] ?? 0) + sign * c.value;
    }
  return Object.fromEntries(Object.entries(sums).filter(([, value]) => value !== 0));
}

const asRecord = (deltas: readonly Contribution[]) => {
  const record: Record<string, number> = {};
  for (const d of deltas) {
    const key = `${d.day} ${d.metric} ${d.dim}`;
    expect(record[key], `${key} given twice`).toBeUndefined();
    record[key] = d.value;
  }
  return record;
};

describe('contributionDeltas', () => {
  // Small entities are matched pairwise, large ones by key: both must give the same answer.
  it.each([
    [0, 3],
    [3, 0],
    [4, 5],
    [10, 12],
    [16, 16],
    [17, 16],
    [40, 60],
  ])('gives each changed key once, after minus before (%i before, %i after)', (b, a) => {
    for (let seed = 1; seed <= 20; seed++) {
      const before = randomContributions(b, seed);
      const after = randomContributions(a, seed * 7 + 3);
      const deltas = contributionDeltas(before, after);
      expect(deltas.every((d) => d.value !== 0)).toBe(true);
      expect(asRecord(deltas)).toEqual(expectedDeltas(before, after));
    }
  });

  it('is empty when nothing changed', () => {
    const same = randomContributions(12, 5);
    expect(contributionDeltas(same, [...same].reverse())).toEqual([]);
    const many = randomContributions(50, 5);
    expect(contributionDeltas(many, [...many].reverse())).toEqual([]);
  });
});
