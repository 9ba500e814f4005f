/** The four counters of `offered = stored + duplicate + rejected`. */
export interface AccountingTotals {
  readonly offered: number;
  readonly stored: number;
  readonly duplicate: number;
  readonly rejected: number;
}

/**
 * Accounting rows (one per feed, force and day, as `readAccounting` or `status --format json`
 * give them) summed, of one feed when `feed` is given.
 */
export function accountingTotals(
  rows: readonly (AccountingTotals & { readonly feed: string })[],
  feed?: string,
): AccountingTotals {
  const totals = { offered: 0, stored: 0, duplicate: 0, rejected: 0 };
  for (const row of rows) {
    if (feed !== undefined && row.feed !== feed) continue;
    totals.offered += row.offered;
    totals.stored += row.stored;
    totals.duplicate += row.duplicate;
    totals.rejected += row.rejected;
  }
  return totals;
}
