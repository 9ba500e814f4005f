import { type PublishedMeasure, trend } from '@rollcall/measures';
import { describe, expect, it } from 'vitest';
import {
  BREAKDOWN_DIMENSIONS,
  csvField,
  EXTRA_FIGURES,
  keyValuePairs,
  SNAPSHOT_CSV_COLUMNS,
  snapshotToCsv,
} from './snapshot-csv.ts';
import type { SnapshotDocument } from './snapshot-document.ts';

const month = { id: 'month', kind: 'month', label: 'March 2022', from: '2022-03-01', to: '2022-03-31' } as const;

/** An entry of a count measure for March 2022; overrides replace fields. */
const entry = (overrides: Partial<PublishedMeasure>): PublishedMeasure => ({
  measureId: 'calls.999.answered_within_10s',
  breakdown: null,
  period: month,
  unit: 'count',
  direction: 'neither',
  value: 12,
  numerator: 12,
  denominator: null,
  flags: [],
  ...overrides,
});

/** The fields of a CSV document's rows, keyed by the header, for rows with no quoted field. */
const records = (csv: string): Record<string, string>[] => {
  const [header, ...rows] = csv.split('\r\n').filter((line) => line !== '');
  const columns = header!.split(',');
  return rows.map((row) => Object.fromEntries(row.split(',').map((field, index) => [columns[index], field])));
};

const document = (measures: PublishedMeasure[]) =>
  ({
    snapshotId: 'kent_2022-03-31_r2',
    forceId: 'kent',
    asOf: '2022-03-31',
    revision: 2,
    measures,
  }) as unknown as SnapshotDocument;

describe('the snapshot CSV', () => {
  it('keeps the first 29 columns where they were, and adds one column per breakdown dimension and extra figure', () => {
    expect(SNAPSHOT_CSV_COLUMNS.slice(0, 29).join(',')).toBe(
      'snapshot_id,force_id,as_of,revision,measure_id,breakdown,period_id,period_kind,period_from,period_to,unit,direction,value,numerator,denominator,ci_lower,ci_upper,ci_half_width,target,status,trend,trend_change_percent,msg_rank,msg_average,msg_comparison,national_flag,flags,missing_months,extra',
    );
    const snake = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
    expect(SNAPSHOT_CSV_COLUMNS.slice(29)).toEqual([
      ...BREAKDOWN_DIMENSIONS.map((dimension) => `breakdown_${dimension}`),
      ...EXTRA_FIGURES.map((figure) => `extra_${snake(figure)}`),
    ]);
  });

  it('gives each breakdown dimension and extra figure its own column, the same columns whatever the entries', () => {
    const csv = snapshotToCsv(
      document([
        entry({}),
        entry({
          measureId: 'incidents.attended_within_target',
          breakdown: { grade: 'emergency', area: 'urban' },
          unit: 'percent',
          value: 80,
          numerator: 8,
          denominator: 10,
        }),
        entry({
          measureId: 'calls.live.waiting',
          breakdown: { queue: 'primary', channel: '999' },
          period: { id: 'as-at', kind: 'as-at', label: 'as at', from: null, to: '2022-03-31' },
          value: 0,
          numerator: 0,
        }),
        entry({
          measureId: 'stopsearch.reasonable_grounds_rate',
          breakdown: { group: 'ethnic-minority' },
          value: 50,
          numerator: 5,
          denominator: 10,
        }),
        entry({
          measureId: 'wanted.median_days_to_arrest',
          breakdown: { team: 'North' },
          unit: 'days',
          value: 6,
          numerator: null,
          denominator: 9,
          extra: { openAtPeriodEnd: 7 },
        }),
        entry({ measureId: 'dvpo.applications_change', extra: { thisYear: 12, previousYear: 10, change: 2 } }),
      ]),
    );
    const rows = records(csv);
    const pick = (row: Record<string, string>) => [
      row.measure_id,
      row.breakdown,
      row.breakdown_area,
      row.breakdown_channel,
      row.breakdown_grade,
      row.breakdown_group,
      row.breakdown_queue,
      row.breakdown_team,
      row.extra,
      row.extra_change,
      row.extra_open_at_period_end,
      row.extra_previous_year,
      row.extra_this_year,
      row.value,
    ];
    expect(rows.map(pick)).toEqual([
      ['calls.999.answered_within_10s', '', '', '', '', '', '', '', '', '', '', '', '', '12'],
      [
        'incidents.attended_within_target',
        'area=urban;grade=emergency',
        'urban',
        '',
        'emergency',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '80',
      ],
      ['calls.live.waiting', 'channel=999;queue=primary', '', '999', '', '', 'primary', '', '', '', '', '', '', '0'],
      [
        'stopsearch.reasonable_grounds_rate',
        'group=ethnic-minority',
        '',
        '',
        '',
        'ethnic-minority',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '50',
      ],
      [
        'wanted.median_days_to_arrest',
        'team=North',
        '',
        '',
        '',
        '',
        '',
        'North',
        'openAtPeriodEnd=7',
        '',
        '7',
        '',
        '',
        '6',
      ],
      [
        'dvpo.applications_change',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        'change=2;previousYear=10;thisYear=12',
        '2',
        '',
        '10',
        '12',
        '12',
      ],
    ]);
    for (const row of rows) expect(Object.keys(row)).toEqual([...SNAPSHOT_CSV_COLUMNS]);
    // A snapshot with no breakdown at all has the same header.
    expect(snapshotToCsv(document([entry({})])).split('\r\n')[0]).toBe(csv.split('\r\n')[0]);
  });

  it('quotes a team name a feed sent with a comma or quote, in both breakdown columns', () => {
    const csv = snapshotToCsv(
      document([entry({ measureId: 'wanted.median_days_to_arrest', breakdown: { team: 'North, "A"' }, value: 6 })]),
    );
    expect(csv.split('\r\n')[1]).toBe(
      'kent_2022-03-31_r2,kent,2022-03-31,2,wanted.median_days_to_arrest,"team=North, ""A""",month,month,2022-03-01,2022-03-31,count,neither,6,12,,,,,,,,,,,,,,,,,,,,,"North, ""A""",,,,',
    );
  });

  it('writes a team name that would start a formula as text, and a negative number as a number', () => {
    const [row] = records(
      snapshotToCsv(
        document([entry({ breakdown: { team: '=HYPERLINK("http://x")', area: '-1+1' }, trend: trend(35, 40)! })]),
      ),
    );
    expect(row?.breakdown_team).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(row?.breakdown_area).toBe("'-1+1");
    expect(row?.trend_change_percent).toBe('-12.5');
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tx')).toBe("'\tx");
    expect(csvField(-3)).toBe('-3');
  });

  it('keeps a dimension or figure that has no column of its own in breakdown and extra', () => {
    const [row] = records(
      snapshotToCsv(document([entry({ breakdown: { shift: 'night' }, extra: { note: 'x', thisYear: 3 } })])),
    );
    expect([row?.breakdown, row?.extra, row?.extra_this_year]).toEqual(['shift=night', 'note=x;thisYear=3', '3']);
    expect(BREAKDOWN_DIMENSIONS.map((dimension) => row?.[`breakdown_${dimension}`])).toEqual(['', '', '', '', '', '']);
  });
});

describe('keyValuePairs', () => {
  it('joins pairs in key order, with an empty value for null, and nothing for none', () => {
    expect(keyValuePairs({ queue: 'primary', channel: '999' })).toBe('channel=999;queue=primary');
    expect(keyValuePairs({ b: null, a: 1 })).toBe('a=1;b=');
    expect([keyValuePairs(null), keyValuePairs(undefined), keyValuePairs({})]).toEqual(['', '', '']);
  });
});
