import type { LiveData } from '../view-data.ts';
import { el, fetchView, setState } from './dom.ts';

function waitText(seconds: number | null): string {
  if (seconds === null) return '–';
  const minutes = Math.floor(seconds / 60);
  return minutes > 0 ? `${minutes} min ${seconds % 60} s` : `${seconds} s`;
}

function draw(view: HTMLElement, data: LiveData): void {
  view.textContent = '';
  const rows = data.queues.map((queue) =>
    el(
      'tr',
      { 'data-channel': queue.channel, 'data-queue': queue.queue },
      el('th', { scope: 'row' }, `${queue.channel} ${queue.queue} queue`),
      el('td', { class: 'num big' }, queue.suppressed ? '[c]' : String(queue.waiting ?? 0)),
      el('td', { class: 'num' }, waitText(queue.longestWaitSeconds)),
    ),
  );
  view.append(
    el(
      'table',
      { class: 'live' },
      el('caption', {}, 'Calls waiting to be answered now, from the call records as they stand'),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { scope: 'col' }, 'Queue'),
          el('th', { scope: 'col' }, 'Waiting now'),
          el('th', { scope: 'col' }, 'Longest wait'),
        ),
      ),
      el('tbody', {}, ...rows),
    ),
    el(
      'p',
      { class: 'note', 'aria-live': 'polite' },
      `Read at ${new Date(data.readAt).toLocaleTimeString('en-GB', { timeZone: 'Europe/London' })} (London); refreshes every ${data.refreshSeconds} seconds.`,
    ),
    ...(data.queues.some((queue) => queue.suppressed)
      ? [el('p', { class: 'note' }, '[c]: from 1 to 4 calls, suppressed on this route like any small count.')]
      : []),
  );
}

/** Draws the live figures, then asks again every few seconds; a failed refresh keeps the last figures and says so. */
export function renderLive(view: HTMLElement, data: LiveData, dataPath: string): void {
  draw(view, data);
  window.setInterval(() => {
    fetchView<LiveData>(dataPath)
      .then((fresh) => {
        draw(view, fresh);
        setState('done');
      })
      .catch((error: unknown) =>
        setState(
          'error',
          `Could not refresh: ${error instanceof Error ? error.message : String(error)}. Showing the last figures.`,
        ),
      );
  }, data.refreshSeconds * 1000);
}
