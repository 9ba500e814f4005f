import { describe, expect, it } from 'vitest';
import { compareAggregateKeys, type AggregateDelta } from './aggregate-keys.ts';
import { AggregateSums } from './aggregate-sums.ts';

/** The same sums kept the plain way: one map keyed by the four joined. */
class ReferenceSums {
  readonly byKey = new Map<string, AggregateDelta>();
  add(forceId: string, day: string, metric: string, dim: string, value: number) {
    const key = [forceId, day, metric, dim].join('\u0001');
    const known = this.byKey.get(key);
    this.byKey.set(key, { forceId, day, metric, dim, value: (known?.value ?? 0) + value });
  }
  rows() {
    return [...this.byKey.values()].filter((row) => row.value !== 0).sort(compareAggregateKeys);
  }
}

/** A small deterministic generator, so a failure replays. */
function random(seed: number) {
  let state = seed >>> 0;
  return (n: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
}

describe('AggregateSums', () => {
  it('sums as a plain map does, over thousands of dims a day (tables that grow) and sums that cancel to 0', () => {
    const next = random(19);
    const sums = new AggregateSums();
    const reference = new ReferenceSums();
    for (let i = 0; i < 60_000; i++) {
      const args = [
        ['avon-and-somerset', 'kent'][next(2)]!,
        `2024-01-${String(1 + next(20)).padStart(2, '0')}`,
        ['calls.999.answered', 'incidents.attended_minutes', 'wanted.open'][next(3)]!,
        // Histogram dims: thousands of distinct values for one metric, as attended minutes has.
        next(4) === 0 ? '' : String(next(3_000)),
        next(5) === 0 ? -1 : next(1_000) * 1_000_003,
      ] as const;
      sums.add(...args);
      reference.add(...args);
    }
    // Sums brought back to 0 are no sums.
    for (const row of reference.rows().slice(0, 500)) {
      sums.add(row.forceId, row.day, row.metric, row.dim, -row.value);
      reference.add(row.forceId, row.day, row.metric, row.dim, -row.value);
    }
    expect(sums.rows().sort(compareAggregateKeys)).toEqual(reference.rows());
    expect(sums.count()).toBe(reference.rows().length);
  });

  it('adds what it logged when read and whenever its log fills: the same sums across 400,000 additions and reads between', () => {
    const next = random(23);
    const sums = new AggregateSums();
    const reference = new ReferenceSums();
    const seen: AggregateDelta[][] = [];
    for (let i = 0; i < 400_000; i++) {
      const args = [
        ['avon-and-somerset', 'kent', 'dorset'][next(3)]!,
        // Days years apart, in no order, as replay meets them.
        `${2019 + next(6)}-${String(1 + next(12)).padStart(2, '0')}-${String(1 + next(28)).padStart(2, '0')}`,
        ['calls.999.answered', 'wanted.open', 'searches.conducted'][next(3)]!,
        String(next(40)),
        next(4) === 0 ? -1 : 1 + next(3),
      ] as const;
      sums.add(...args);
      reference.add(...args);
      if (i === 1_000 || i === 150_000) seen.push(sums.rows().sort(compareAggregateKeys), reference.rows());
    }
    expect(seen[0]).toEqual(seen[1]);
    expect(seen[2]).toEqual(seen[3]);
    expect(sums.rows().sort(compareAggregateKeys)).toEqual(reference.rows());
  });

  it('rolls days up into periods as summing their rows by period does, sums of 0 left out', () => {
    const next = random(7);
    const sums = new AggregateSums();
    const byMonth = new ReferenceSums();
    const monthOf = (day: string) => `${day.slice(0, 7)}-01`;
    for (let i = 0; i < 20_000; i++) {
      const args = [
        ['avon-and-somerset', 'kent'][next(2)]!,
        `2024-0${1 + next(3)}-${String(1 + next(28)).padStart(2, '0')}`,
        ['calls.999.answered', 'wanted.open'][next(2)]!,
        String(next(300)),
        next(3) === 0 ? -next(5) : next(5),
      ] as const;
      sums.add(...args);
      byMonth.add(args[0], monthOf(args[1]), args[2], args[3], args[4]);
    }
    const rolled = sums.rollUp(monthOf);
    expect(rolled.rows().sort(compareAggregateKeys)).toEqual(byMonth.rows());
    // The rolled-up sums take new (metric, dim) pairs of their own; the daily sums are unchanged.
    const daily = sums.rows().sort(compareAggregateKeys);
    rolled.add('kent', '2024-01-01', 'a.new.metric', 'x', 3);
    expect(rolled.rows().filter((row) => row.metric === 'a.new.metric')).toEqual([
      { forceId: 'kent', day: '2024-01-01', metric: 'a.new.metric', dim: 'x', value: 3 },
    ]);
    expect(sums.rows().sort(compareAggregateKeys)).toEqual(daily);
  });

  it('tells the rows to set, to add and to remove against stored rows, the same way on a second diff', () => {
    const sums = new AggregateSums();
    const row = (day: string, metric: string, dim: string, value: number): AggregateDelta => ({
      forceId: 'kent',
      day,
      metric,
      dim,
      value,
    });
    sums.add('kent', '2024-01-01', 'calls', '999', 5);
    sums.add('kent', '2024-01-01', 'calls', '101', 2);
    sums.add('kent', '2024-01-02', 'calls', '999', 3);
    sums.add('kent', '2024-01-02', 'calls', '999', -3); // cancels: no sum
    sums.add('kent', '2024-01-03', 'waits', '', 7);
    const stored = [
      row('2024-01-01', 'calls', '999', 5), // equal: nothing
      row('2024-01-01', 'calls', '101', 1), // differs: set to 2
      row('2024-01-02', 'calls', '999', 3), // its sum is 0: removed
      row('2024-01-02', 'calls', '101', 4), // no such sum (day known): removed
      row('2024-01-09', 'calls', '999', 1), // no such day: removed
      row('2024-01-01', 'unknown', '', 1), // no such column: removed
    ];
    const expected = {
      set: [row('2024-01-01', 'calls', '101', 2)],
      added: [row('2024-01-03', 'waits', '', 7)],
      removed: [stored[5]!, stored[3]!, stored[2]!, stored[4]!].sort(compareAggregateKeys),
    };
    const storedSums = summedSharing(sums, stored);
    expect(sums.changesFrom(storedSums)).toEqual(expected);
    // Marks of the first diff do not leak into the second.
    expect(sums.changesFrom(storedSums)).toEqual(expected);
    expect(sums.changesFrom(sums.sharingColumns())).toEqual({
      set: [],
      added: [
        row('2024-01-01', 'calls', '101', 2),
        row('2024-01-01', 'calls', '999', 5),
        row('2024-01-03', 'waits', '', 7),
      ],
      removed: [],
    });
  });

  it('compares only the stored days it is told to, and rolls up only those into the sums it is given', () => {
    const sums = new AggregateSums();
    sums.add('kent', '2024-01-02', 'calls', '999', 4);
    const stored = summedSharing(sums, [
      { forceId: 'kent', day: '2024-01-01', metric: 'calls', dim: '999', value: 6 }, // outside: left alone
      { forceId: 'kent', day: '2024-01-02', metric: 'calls', dim: '999', value: 3 }, // inside: set to 4
    ]);
    const inside = (day: string) => day >= '2024-01-02';
    expect(sums.changesFrom(stored, inside)).toEqual({
      set: [{ forceId: 'kent', day: '2024-01-02', metric: 'calls', dim: '999', value: 4 }],
      added: [],
      removed: [],
    });
    const monthly = sums.rollUp((day) => `${day.slice(0, 7)}-01`);
    stored.rollUp((day) => `${day.slice(0, 7)}-01`, { into: monthly, only: (day) => !inside(day) });
    expect(monthly.rows()).toEqual([{ forceId: 'kent', day: '2024-01-01', metric: 'calls', dim: '999', value: 10 }]);
  });

  it('refuses to compare with sums whose columns it does not share: their column numbers mean other pairs', () => {
    const sums = new AggregateSums();
    sums.add('kent', '2024-01-01', 'calls', '999', 1);
    const other = new AggregateSums();
    other.add('kent', '2024-01-01', 'waits', '', 1);
    expect(() => sums.changesFrom(other)).toThrow(/do not share these columns/);
    expect(() => sums.rollUp((day) => day, { into: other })).toThrow(/do not share these columns/);
  });

  it('adds sums made apart (another thread, its own columns and days) as adding their contributions does', () => {
    const next = random(7);
    const contributions = Array.from({ length: 20_000 }, () => {
      return [
        ['avon-and-somerset', 'kent'][next(2)]!,
        `2024-02-${String(1 + next(28)).padStart(2, '0')}`,
        ['calls.999.answered', 'wanted.open', 'dvpo.granted'][next(3)]!,
        next(3) === 0 ? '' : String(next(200)),
        next(4) === 0 ? -2 : next(50),
      ] as const;
    });
    const reference = new ReferenceSums();
    const [mine, theirs] = [new AggregateSums(), new AggregateSums()];
    // Theirs meets the columns and days in another order, so its numbers for them differ from mine.
    theirs.add('west-yorkshire', '2023-12-31', 'dvpo.breached', 'x', 3);
    reference.add('west-yorkshire', '2023-12-31', 'dvpo.breached', 'x', 3);
    contributions.forEach((args, i) => {
      (i % 2 === 0 ? mine : theirs).add(...args);
      reference.add(...args);
    });
    const transferred = theirs.toTransferred();
    // Plain data: what `postMessage` can send (a class instance would arrive as a bare object).
    expect(structuredClone(transferred)).toEqual(transferred);
    mine.addTransferred(structuredClone(transferred));
    expect(mine.rows().sort(compareAggregateKeys)).toEqual(reference.rows());
  });
});

/** `rows` summed in sums sharing the columns of `sums`, as replay sums the stored rows it reads. */
function summedSharing(sums: AggregateSums, rows: readonly AggregateDelta[]): AggregateSums {
  const stored = sums.sharingColumns();
  for (const row of rows) stored.add(row.forceId, row.day, row.metric, row.dim, row.value);
  return stored;
}
