import type { ReportData } from '../view-data.ts';
import { drawChart, lineChartOption } from './charts.ts';
import { el } from './dom.ts';
import { flagList, ragBadge, valueText } from './figures.ts';

/** The printable report: period, measures grouped by priority, a chart and a narrative each. */
export function renderReport(view: HTMLElement, data: ReportData): void {
  if (data.snapshot === null) {
    view.append(el('p', { class: 'empty' }, `No snapshot has been published for ${data.force.name} yet.`));
    return;
  }
  const charts: (() => void)[] = [];
  const print = el('button', { type: 'button', class: 'print' }, 'Print or save as PDF');
  print.addEventListener('click', () => window.print());
  view.append(
    el(
      'p',
      { class: 'report-period' },
      `Period: ${data.period ?? data.snapshot.asOf}. Snapshot ${data.snapshot.snapshotId}.`,
    ),
    print,
  );
  data.groups.forEach((group, groupIndex) => {
    const section = el(
      'section',
      { class: 'priority', 'aria-labelledby': `priority-${groupIndex}` },
      el('h2', { id: `priority-${groupIndex}` }, group.priority),
    );
    group.measures.forEach((item, index) => {
      const container = el('div', {
        class: 'chart chart-small',
        role: 'img',
        'aria-label': `${item.card.title}, by month`,
      });
      section.append(
        el(
          'article',
          { class: 'report-measure', 'aria-labelledby': `m-${groupIndex}-${index}` },
          el('h3', { id: `m-${groupIndex}-${index}` }, item.card.title),
          el('p', { class: 'value' }, valueText(item.card), ' ', ragBadge(item.card)),
          container,
          el('p', { class: 'narrative' }, item.narrative),
          flagList(item.card.flags),
        ),
      );
      charts.push(() =>
        drawChart(container, lineChartOption(`${item.card.title}, by month`, item.monthly, item.card.unit, true)),
      );
    });
    view.append(section);
  });
  if (data.notAvailable.length > 0) {
    view.append(
      el(
        'section',
        { class: 'priority', 'aria-labelledby': 'not-available' },
        el('h2', { id: 'not-available' }, 'Not available for this period'),
        el('p', {}, `No data for part of the period ([x]): ${data.notAvailable.join('; ')}.`),
      ),
    );
  }
  requestAnimationFrame(() => {
    for (const draw of charts) draw();
  });
}
