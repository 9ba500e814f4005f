import { formatValue } from '../format-value.ts';
import type { ChartPoint, MeasurePageData } from '../view-data.ts';
import { drawChart, lineChartOption, msgChartOption, periodName } from './charts.ts';
import { el } from './dom.ts';
import { flagList, msgText, ragBadge, trendText, valueText } from './figures.ts';

/** A chart with its heading, and the same points as a table for screen readers and keyboard users. */
function chartSection(
  id: string,
  heading: string,
  points: readonly ChartPoint[],
  unit: string,
): { section: HTMLElement; container: HTMLElement } {
  const container = el('div', { class: 'chart', id, role: 'img', 'aria-label': heading });
  const rows = points.map((point) =>
    el(
      'tr',
      {},
      el('th', { scope: 'row' }, periodName(point)),
      el('td', {}, point.value === null ? point.flags.join(' ') : formatValue(point.value, unit)),
      el('td', {}, point.ci ? `${formatValue(point.ci.lower, unit)} to ${formatValue(point.ci.upper, unit)}` : ''),
    ),
  );
  const table = el(
    'details',
    { class: 'data-table' },
    el('summary', {}, `${heading}: the figures`),
    el(
      'table',
      {},
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { scope: 'col' }, 'Period'),
          el('th', { scope: 'col' }, 'Value'),
          el('th', { scope: 'col' }, '95% interval'),
        ),
      ),
      el('tbody', {}, ...rows),
    ),
  );
  return {
    section: el('section', { class: 'chart-section', 'aria-label': heading }, el('h2', {}, heading), container, table),
    container,
  };
}

export function renderMeasure(view: HTMLElement, data: MeasurePageData): void {
  const measure = data.measure;
  const charts: (() => void)[] = [];
  if (data.snapshot === null)
    view.append(el('p', { class: 'empty' }, `No snapshot has been published for ${data.force.name} yet.`));
  const headline = data.latest.find(
    (card) => card.periodId === (measure.periods.includes('rolling-12m') ? 'rolling-12m' : card.periodId),
  );
  if (headline) {
    view.append(
      el(
        'section',
        { class: 'headline', 'aria-label': 'Latest figure' },
        el('p', { class: 'value' }, valueText(headline)),
        el('p', {}, headline.periodLabel),
        ragBadge(headline),
        el('p', {}, [trendText(headline), msgText(headline)].filter((text) => text !== null).join(' · ')),
        flagList(headline.flags),
      ),
    );
  }
  if (data.rolling.length > 0) {
    const { section, container } = chartSection('chart-rolling', 'Rolling 12 months', data.rolling, measure.unit);
    view.append(section);
    charts.push(() =>
      drawChart(container, lineChartOption(`${measure.title}, rolling 12 months`, data.rolling, measure.unit)),
    );
  }
  if (data.monthly.length > 0) {
    const { section, container } = chartSection('chart-monthly', 'Month by month', data.monthly, measure.unit);
    view.append(section);
    charts.push(() => drawChart(container, lineChartOption(`${measure.title}, by month`, data.monthly, measure.unit)));
  }
  if (data.msg && data.msg.bars.length > 1) {
    const msg = data.msg;
    const container = el('div', {
      class: 'chart chart-msg',
      id: 'chart-msg',
      role: 'img',
      'aria-label': 'Most similar group comparison',
    });
    view.append(
      el(
        'section',
        { class: 'chart-section', 'aria-label': 'Most similar group' },
        el('h2', {}, 'Compared with the most similar group'),
        el(
          'p',
          {},
          `Rank ${msg.rankInterval ?? msg.rank ?? 'not available'}; MSG average ${msg.average === null ? 'not available' : formatValue(msg.average, measure.unit)}${msg.band ? `; national band ${formatValue(msg.band.lower, measure.unit)} to ${formatValue(msg.band.upper, measure.unit)} (shaded green)` : ''}. The force is the blue bar; the dashed line is the MSG average.`,
        ),
        container,
      ),
    );
    charts.push(() => drawChart(container, msgChartOption(measure.title, msg, measure.unit)));
  }
  const about = el('dl', { class: 'about' });
  about.append(el('dt', {}, 'Definition'), el('dd', {}, measure.definition));
  if (measure.source) about.append(el('dt', {}, 'Source'), el('dd', {}, measure.source));
  if (measure.method) about.append(el('dt', {}, 'Method'), el('dd', {}, measure.method));
  about.append(el('dt', {}, 'Published for'), el('dd', {}, measure.periods.join(', ')));
  view.append(
    el(
      'section',
      { class: 'about-section', 'aria-labelledby': 'about' },
      el('h2', { id: 'about' }, 'About this measure'),
      about,
    ),
  );
  if (data.revisions.length > 0) {
    view.append(
      el(
        'section',
        { 'aria-labelledby': 'revisions' },
        el('h2', { id: 'revisions' }, `Revisions of the figure as of ${data.snapshot?.asOf ?? ''}`),
        el('p', { class: 'note' }, 'Values to one more decimal than elsewhere, so that a small revision shows.'),
        el(
          'table',
          { class: 'revisions' },
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              ...['Revision', 'Published (UTC)', 'Value', 'Why'].map((text) => el('th', { scope: 'col' }, text)),
            ),
          ),
          el(
            'tbody',
            {},
            ...data.revisions.map((row) =>
              el(
                'tr',
                {},
                el('td', {}, String(row.revision)),
                el('td', {}, row.generatedAt.slice(0, 16).replace('T', ' ')),
                el('td', {}, row.value === null ? row.flags.join(' ') : formatValue(row.value, measure.unit, 1)),
                el('td', {}, row.reasons.join(', ')),
              ),
            ),
          ),
        ),
      ),
    );
  }
  // Charts are drawn once their containers are in the page and have a size.
  requestAnimationFrame(() => {
    for (const draw of charts) draw();
  });
}
