import { describe, expect, it } from 'vitest';
import { METRIC } from '@rollcall/contract';
import { dvpnAuthorised, dvpnBreached, dvpoApplied, dvpoBreached, dvpoCounts, dvpoGranted } from './dvpo-counts.ts';
import { type DailyRow, measureInputOf, row } from './measure-input-of.ts';
import { entryOf, snapshotEntriesOf } from './snapshot-entries-of.ts';

describe('DVPN and DVPO counts', () => {
  // 2018/19 in London days: the year runs from 1 April 2018 to 31 March 2019 (the day the clocks
  // went forward); 31 March 2018 and 1 April 2019 belong to the years either side.
  const daily: DailyRow[] = [
    { day: '2018-03-31', ...row(METRIC.dvpoApplied, '', 7) },
    { day: '2018-04-01', ...row(METRIC.dvpoApplied, '', 48) },
    { day: '2018-04-01', ...row(METRIC.dvpoDecided, 'granted', 6) },
    { day: '2018-10-15', ...row(METRIC.dvpoApplied, '', 100) },
    { day: '2018-10-16', ...row(METRIC.dvpoDecided, 'granted', 120) },
    { day: '2018-10-16', ...row(METRIC.dvpoDecided, 'refused', 9) },
    { day: '2019-03-31', ...row(METRIC.dvpoApplied, '', 100) },
    { day: '2019-03-31', ...row(METRIC.dvpoDecided, 'granted', 106) },
    { day: '2019-04-01', ...row(METRIC.dvpoDecided, 'granted', 5) },
    { day: '2018-06-30', ...row(METRIC.dvpoBreached, '', 28) },
    { day: '2018-05-01', ...row(METRIC.dvpnAuthorised, '', 253) },
    { day: '2019-01-31', ...row(METRIC.dvpnBreached, '', 14) },
    { day: '2019-04-01', ...row(METRIC.dvpnBreached, '', 3) },
  ];
  const entries = snapshotEntriesOf(dvpoCounts, { asOf: '2019-03-31', daily });

  it('reproduce 2018/19: 248 applied, 232 granted, 28 breached; 253 DVPNs, 14 breached', () => {
    const figures = Object.fromEntries(dvpoCounts.map((m) => [m.id, entryOf(entries, m.id, 'financial-year').value]));
    expect(figures).toEqual({
      'dvpn.authorised': 253,
      'dvpn.breached': 14,
      'dvpo.applied': 248,
      'dvpo.granted': 232,
      'dvpo.breached': 28,
    });
  });

  it('are counts: the value is the numerator, with no denominator, in one cell', () => {
    expect(entryOf(entries, 'dvpo.granted', 'financial-year')).toMatchObject({
      value: 232,
      numerator: 232,
      denominator: null,
      unit: 'count',
      cells: { 'dvpo.decided.granted': 232 },
    });
    expect(entryOf(entries, 'dvpo.applied', 'month')).toMatchObject({ value: 100, flags: [] });
  });

  it('are each their own measure with its own cell', () => {
    expect(
      [dvpnAuthorised, dvpnBreached, dvpoApplied, dvpoGranted, dvpoBreached].map(
        (m) => Object.keys(m.compute(measureInputOf())[0]!.cells)[0],
      ),
    ).toEqual(['dvpn.authorised', 'dvpn.breached', 'dvpo.applied', 'dvpo.decided.granted', 'dvpo.breached']);
  });
});
