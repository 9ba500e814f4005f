import { formatValue } from '../format-value.ts';
import type { FigureCard, ScorecardData } from '../view-data.ts';
import { el, viewHref } from './dom.ts';
import { flagList, msgText, ragBadge, trendText, valueText } from './figures.ts';

function card(data: ScorecardData, figure: FigureCard): HTMLElement {
  const headingId = `card-${figure.measureId.replace(/[^a-z0-9]/gi, '-')}`;
  const details = el('dl', { class: 'details' });
  const add = (term: string, text: string | null) => {
    if (text !== null) details.append(el('dt', {}, term), el('dd', {}, text));
  };
  add('Period', figure.periodLabel);
  add(
    '95% interval',
    figure.ci ? `${formatValue(figure.ci.lower, figure.unit)} to ${formatValue(figure.ci.upper, figure.unit)}` : null,
  );
  add('Target', figure.target === null ? null : formatValue(figure.target, figure.unit));
  add('Trend', trendText(figure));
  add('Most similar group', msgText(figure));
  return el(
    'article',
    {
      class: `card${figure.rag ? ` card-${figure.rag}` : ''}`,
      'aria-labelledby': headingId,
      'data-measure': figure.measureId,
      'data-rag': figure.rag ?? 'none',
    },
    el(
      'h3',
      { id: headingId },
      el('a', { href: viewHref(`/measures/${encodeURIComponent(figure.measureId)}`, data.force.id) }, figure.title),
    ),
    el('p', { class: 'value' }, valueText(figure)),
    ragBadge(figure),
    details,
    flagList(figure.flags),
  );
}

export function renderScorecard(view: HTMLElement, data: ScorecardData): void {
  if (data.snapshot === null) {
    view.append(el('p', { class: 'empty' }, `No snapshot has been published for ${data.force.name} yet.`));
    return;
  }
  view.append(
    el(
      'p',
      { class: 'snapshot' },
      `Figures as of ${data.snapshot.asOf} (snapshot revision ${data.snapshot.revision}, published ${data.snapshot.generatedAt.slice(0, 16).replace('T', ' ')} UTC). `,
      el('a', { href: `/v1/snapshots/${encodeURIComponent(data.snapshot.snapshotId)}?format=csv` }, 'Download CSV'),
    ),
  );
  for (const feed of data.feeds) {
    const headingId = `feed-${feed.feed}`;
    view.append(
      el(
        'section',
        { class: 'feed', 'aria-labelledby': headingId },
        el('h2', { id: headingId }, feed.title),
        el('div', { class: 'cards' }, ...feed.cards.map((figure) => card(data, figure))),
      ),
    );
  }
}
