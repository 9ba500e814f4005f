import { FLAG_MEANINGS, formatAgainstTarget } from '../format-value.ts';
import type { FigureCard, Flag } from '../view-data.ts';
import { el } from './dom.ts';

export const RAG_TEXT: Readonly<Record<string, string>> = {
  green: 'On target',
  amber: 'Close: the 95% interval reaches the target',
  red: 'Off target',
};

const RAG_SYMBOL: Readonly<Record<string, string>> = { green: '●', amber: '◐', red: '○' };

export const TREND_ARROW: Readonly<Record<string, string>> = {
  'strong increase': '⇑',
  increase: '↑',
  stable: '→',
  decrease: '↓',
  'strong decrease': '⇓',
};

export function valueText(card: Pick<FigureCard, 'value' | 'unit' | 'flags' | 'target'>): string {
  if (card.value !== null) return formatAgainstTarget(card.value, card.target, card.unit);
  return card.flags.find((flag) => flag !== '[p]' && flag !== '[r]') ?? '–';
}

/** A RAG badge that says its meaning in words and a shape, not by colour alone. */
export function ragBadge(card: FigureCard): HTMLElement | null {
  if (card.rag === null) return null;
  return el(
    'span',
    { class: `rag rag-${card.rag}` },
    el('span', { 'aria-hidden': 'true' }, `${RAG_SYMBOL[card.rag] ?? ''} `),
    RAG_TEXT[card.rag] ?? card.rag,
  );
}

export function trendText(card: FigureCard): string | null {
  if (card.trend === null) return null;
  const change = `${card.trend.changePercent > 0 ? '+' : ''}${card.trend.changePercent.toFixed(1)}%`;
  return `${TREND_ARROW[card.trend.label] ?? ''} ${card.trend.label} (${change} on a year earlier)`;
}

export function msgText(card: FigureCard): string | null {
  if (card.msg === null || card.msg.rank === null) return null;
  return `MSG rank ${card.msg.rankInterval ?? card.msg.rank}`;
}

/** Flags explained where they stand: a list of each flag with its meaning. */
export function flagList(flags: readonly Flag[]): HTMLElement | null {
  if (flags.length === 0) return null;
  return el(
    'ul',
    { class: 'flags' },
    ...flags.map((flag) => el('li', {}, el('code', {}, flag), ` ${FLAG_MEANINGS[flag] ?? ''}`)),
  );
}
