import { lastOfMonth } from '@rollcall/calendar';
import type { ChartPoint, FigureCard, Rag } from '@rollcall/dashboard';
import type { MeasureDefinition, PublishedMeasure } from '@rollcall/measures';
import type { SeriesEntry } from '@rollcall/db';

/**
 * Published entries as the dashboard shows them: cards and chart points. Nothing is recomputed;
 * the colour is the published status read as a traffic light.
 */

/** `nearly met` is amber: the value misses its target while its 95% interval reaches it (measures.md). */
export function ragOf(status: string | undefined | null): Rag | null {
  if (status === 'met') return 'green';
  if (status === 'nearly met') return 'amber';
  if (status === 'not met') return 'red';
  return null;
}

export function cardOf(definition: Pick<MeasureDefinition, 'id' | 'title'>, entry: PublishedMeasure): FigureCard {
  const flags = [...entry.flags];
  if (entry.suppressed && !flags.includes(entry.suppressed)) flags.unshift(entry.suppressed);
  return {
    measureId: definition.id,
    title: definition.title,
    unit: entry.unit,
    direction: entry.direction,
    periodId: entry.period.id,
    periodLabel: entry.period.label,
    value: entry.value,
    numerator: entry.numerator,
    denominator: entry.denominator,
    ci: entry.ci ? { lower: entry.ci.lower, upper: entry.ci.upper } : null,
    target: entry.target ?? null,
    status: entry.status ?? null,
    rag: ragOf(entry.status),
    trend: entry.trend ? { label: entry.trend.label, changePercent: entry.trend.changePercent } : null,
    msg: entry.msg
      ? {
          rank: entry.msg.rank,
          rankInterval: entry.msg.rankInterval?.label ?? null,
          average: entry.msg.average,
          comparison: entry.msg.comparison ?? null,
        }
      : null,
    flags,
    notes: entry.notes ?? [],
  };
}

/**
 * One point per period from the head snapshots of a range: each complete month is the latest
 * revision of its month-end snapshot; a snapshot of the latest day that is not a month end is
 * the month to date, kept apart and marked provisional. Snapshots of other days in between (a
 * nightly run publishes every day) are not periods of their own and are left out, so a chart
 * never draws a month-to-date value as a dip.
 */
export function pointsPerPeriod(snapshots: readonly SeriesEntry<PublishedMeasure>[]): ChartPoint[] {
  const last = snapshots.at(-1);
  return snapshots
    .filter((snapshot) => snapshot.asOf === lastOfMonth(snapshot.asOf) || snapshot === last)
    .map((snapshot) => {
      const entry = snapshot.entry;
      const provisional = snapshot.asOf !== lastOfMonth(snapshot.asOf);
      return {
        periodEnd: snapshot.asOf,
        label: entry?.period.label ?? snapshot.asOf,
        value: entry?.value ?? null,
        ci: entry?.ci ? { lower: entry.ci.lower, upper: entry.ci.upper } : null,
        target: entry?.target ?? null,
        provisional,
        snapshotId: snapshot.snapshotId,
        revision: snapshot.revision,
        flags: entry ? [...(entry.suppressed ? [entry.suppressed] : []), ...entry.flags] : ['[x]'],
      };
    });
}

/** A sentence per measure for the printed report, from the published fields only. */
export function narrativeOf(card: FigureCard, format: (value: number) => string): string {
  if (card.value === null) {
    const why = card.flags.includes('[c]')
      ? 'suppressed (small count)'
      : card.flags.includes('[z]')
        ? 'not applicable'
        : 'not available';
    return `${card.title}: no figure for ${card.periodLabel} (${why}).`;
  }
  const parts = [`${card.title} was ${format(card.value)} for ${card.periodLabel}`];
  if (card.ci) parts[0] += ` (95% interval ${format(card.ci.lower)} to ${format(card.ci.upper)})`;
  if (card.target !== null && card.status)
    parts.push(`against a target of ${format(card.target)} it is ${card.status}`);
  if (card.trend)
    parts.push(
      `compared with 12 months earlier it is ${card.trend.label} (${card.trend.changePercent > 0 ? '+' : ''}${card.trend.changePercent.toFixed(1)}%)`,
    );
  if (card.msg?.rank) parts.push(`it ranks ${card.msg.rankInterval ?? card.msg.rank} in its most similar group`);
  if (card.flags.includes('[p]')) parts.push('the figure is provisional');
  return `${parts.join('; ')}.`;
}
