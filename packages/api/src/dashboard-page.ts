import type { ForceRef } from '@rollcall/dashboard';
import { escapeHtml } from './html-page.ts';

/** The dashboard's views: each is one page, drawn by the built script from one data request. */
export type DashboardView = 'scorecard' | 'measure' | 'live' | 'report';

export interface DashboardPageOptions {
  readonly view: DashboardView;
  readonly title: string;
  readonly force: ForceRef;
  readonly forces: readonly ForceRef[];
  /** Shown only to tokens with the admin scope: others would meet a 403 behind it. */
  readonly admin: boolean;
  readonly measureId?: string | undefined;
  readonly csrf: string;
  readonly scriptUrl: string;
  readonly styleUrl: string;
}

const NAV: readonly { view: DashboardView; label: string; path: string }[] = [
  { view: 'scorecard', label: 'Scorecard', path: '/' },
  { view: 'live', label: 'Live calls', path: '/live' },
  { view: 'report', label: 'Report', path: '/report' },
];

/**
 * The page shell every view shares: header (views, force selector by name, admin link, log out
 * form with its CSRF token) and a main region saying "Loading" until the script has drawn the
 * view, or the error when its one data request fails. Nothing of the data is in the HTML.
 */
export function renderDashboardPage(options: DashboardPageOptions): string {
  const forceQuery = `?forceId=${encodeURIComponent(options.force.id)}`;
  const nav = NAV.map(
    (item) =>
      `<a href="${item.path}${forceQuery}"${item.view === options.view ? ' aria-current="page"' : ''}>${escapeHtml(item.label)}</a>`,
  ).join('');
  const forceOptions = options.forces
    .map(
      (force) =>
        `<option value="${escapeHtml(force.id)}"${force.id === options.force.id ? ' selected' : ''}>${escapeHtml(force.name)}</option>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(options.title)}: ${escapeHtml(options.force.name)} – Rollcall</title>
<link rel="stylesheet" href="${escapeHtml(options.styleUrl)}">
<script src="${escapeHtml(options.scriptUrl)}" defer></script>
</head>
<body data-view="${options.view}" data-force="${escapeHtml(options.force.id)}"${options.measureId ? ` data-measure="${escapeHtml(options.measureId)}"` : ''}>
<a class="skip" href="#main">Skip to content</a>
<header class="site">
<p class="brand">Rollcall</p>
<nav aria-label="Views">${nav}${options.admin ? '<a href="/admin/queues">Queues</a>' : ''}</nav>
<form class="force" method="get" action="">
<label for="force">Force</label> <select id="force" name="forceId">${forceOptions}</select>
<button type="submit" class="go">Show</button>
</form>
<form class="logout" method="post" action="/logout">
<input type="hidden" name="csrf" value="${escapeHtml(options.csrf)}">
<button type="submit">Log out</button>
</form>
</header>
<main id="main" tabindex="-1">
<h1>${escapeHtml(options.title)}: ${escapeHtml(options.force.name)}</h1>
<p id="state" role="status" class="loading">Loading…</p>
<div id="view"></div>
</main>
</body>
</html>
`;
}
