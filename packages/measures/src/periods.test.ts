import { describe, expect, it } from 'vitest';
import { financialYearPeriod, monthPeriod, rolling12MonthPeriod, yearEarlier } from './periods.ts';

describe('yearEarlier', () => {
  it('compares a mid-month period with the same day a year earlier', () => {
    expect(yearEarlier(monthPeriod('2024-03-15'))).toMatchObject({ from: '2023-03-01', to: '2023-03-15' });
    expect(yearEarlier(financialYearPeriod('2022-01-10'))).toMatchObject({ from: '2020-04-01', to: '2021-01-10' });
  });

  it('compares a period ending on a month-end with the whole month a year earlier, leap days included', () => {
    expect(yearEarlier(monthPeriod('2025-02-28'))).toMatchObject({ from: '2024-02-01', to: '2024-02-29' });
    expect(yearEarlier(rolling12MonthPeriod('2025-02-28'))).toMatchObject({ from: '2023-03-01', to: '2024-02-29' });
    expect(yearEarlier(monthPeriod('2024-02-29'))).toMatchObject({ from: '2023-02-01', to: '2023-02-28' });
    expect(yearEarlier(financialYearPeriod('2022-03-31'))).toMatchObject({ from: '2020-04-01', to: '2021-03-31' });
  });
});
