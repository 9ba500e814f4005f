import type { MeasureDefinition } from '@rollcall/measures';
import { escapeHtml, jsonForScript } from './html-page.ts';
import { defaultPeriodOf } from './measure-series.ts';

/**
 * The built-in dashboard (operations.md, "/"): one page, no build step and nothing fetched from
 * elsewhere. It reads `/v1/snapshots/latest` and the series route with the login cookie and
 * renders with DOM methods only (textContent, createElementNS), so no published value is ever
 * parsed as HTML. Style and script are constants, allowed by hash in the page's CSP.
 */

export const DASHBOARD_STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: .8rem 1.2rem; background: #1d2330; color: #fff; }
header h1 { font-size: 1.15rem; margin: 0 1rem 0 0; }
header a, header button { color: #fff; font: inherit; }
header form { margin: 0 0 0 auto; }
header button { background: none; border: 1px solid #fff8; border-radius: 4px; padding: .2rem .7rem; cursor: pointer; }
select { font: inherit; padding: .2rem; }
main { padding: 1rem 1.2rem; }
#snapshot { color: #445; margin: 0 0 .8rem; }
#status { color: #a61b1b; }
table { border-collapse: collapse; width: 100%; background: #fff; box-shadow: 0 1px 2px #0002; }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid #e3e5ea; vertical-align: middle; }
th { background: #eef0f4; font-weight: 600; font-size: .85rem; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.value { font-weight: 600; }
.flags { font-family: ui-monospace, monospace; color: #7a4b00; }
.met { color: #116b2f; } .nearly-met { color: #8a5a00; } .not-met { color: #a61b1b; }
.sub { color: #667; font-size: .85rem; }
svg.chart { display: block; }
svg.chart polyline { fill: none; stroke: #1d4ed8; stroke-width: 1.5; }
svg.chart circle { fill: #1d4ed8; }
label.toggle { font-size: .9rem; }
`;

export const DASHBOARD_SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('rollcall-data').textContent);
  var select = document.getElementById('force');
  var allRows = document.getElementById('all-rows');
  var statusLine = document.getElementById('status');
  var snapshotLine = document.getElementById('snapshot');
  var tbody = document.getElementById('measures');
  var SVG = 'http://www.w3.org/2000/svg';
  var current = null;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function num(value, digits) {
    return value.toLocaleString('en-GB', { minimumFractionDigits: 0, maximumFractionDigits: digits });
  }
  function withUnit(value, unit) {
    if (value === null || value === undefined) return '';
    switch (unit) {
      case 'percent': return num(value, 1) + '%';
      case 'percent-change': return (value > 0 ? '+' : '') + num(value, 1) + '%';
      case 'count': return num(value, 0);
      case 'seconds': return num(value, 1) + ' s';
      case 'days': return num(value, 1) + ' days';
      case 'per-1000': return num(value, 2) + ' per 1,000';
      case 'ratio': return num(value, 2) + '\\u00d7';
      default: return num(value, 2);
    }
  }
  function flagsOf(entry) {
    var flags = (entry.flags || []).slice();
    if (entry.suppressed && flags.indexOf(entry.suppressed) < 0) flags.unshift(entry.suppressed);
    return flags.join(' ');
  }
  function breakdownText(breakdown) {
    if (!breakdown) return '';
    return Object.keys(breakdown).sort().map(function (key) { return key + '=' + breakdown[key]; }).join(';');
  }
  function yearBefore(day) {
    var date = new Date(day + 'T00:00:00Z');
    date.setUTCFullYear(date.getUTCFullYear() - 1);
    return date.toISOString().slice(0, 10);
  }

  function drawChart(cell, series) {
    var width = 180, height = 44, pad = 4;
    var points = series.points;
    var values = points.map(function (p) { return p.value; }).filter(function (v) { return v !== null; });
    cell.textContent = '';
    if (values.length === 0) { cell.appendChild(el('span', 'sub', 'no data')); return; }
    var min = Math.min.apply(null, values), max = Math.max.apply(null, values);
    if (min === max) { min -= 1; max += 1; }
    var first = Date.parse(points[0].asOf), last = Date.parse(points[points.length - 1].asOf);
    var span = Math.max(last - first, 1);
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'chart');
    svg.setAttribute('width', String(width));
    svg.setAttribute('height', String(height));
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    svg.setAttribute('role', 'img');
    var title = document.createElementNS(SVG, 'title');
    title.textContent = series.title + ' (' + series.periodId + '), ' + points[0].asOf + ' to ' + points[points.length - 1].asOf;
    svg.appendChild(title);
    var segment = [];
    function flush() {
      if (segment.length === 1) {
        var dot = document.createElementNS(SVG, 'circle');
        dot.setAttribute('cx', segment[0][0]); dot.setAttribute('cy', segment[0][1]); dot.setAttribute('r', '1.8');
        svg.appendChild(dot);
      } else if (segment.length > 1) {
        var line = document.createElementNS(SVG, 'polyline');
        line.setAttribute('points', segment.map(function (xy) { return xy.join(','); }).join(' '));
        svg.appendChild(line);
      }
      segment = [];
    }
    points.forEach(function (point) {
      if (point.value === null) { flush(); return; }
      var x = pad + ((Date.parse(point.asOf) - first) / span) * (width - 2 * pad);
      var y = height - pad - ((point.value - min) / (max - min)) * (height - 2 * pad);
      segment.push([x.toFixed(1), y.toFixed(1)]);
    });
    flush();
    cell.appendChild(svg);
  }

  function loadChart(cell, forceId, entry, asOf) {
    var query = '?forceId=' + encodeURIComponent(forceId) + '&from=' + yearBefore(asOf) + '&to=' + asOf + '&period=' + encodeURIComponent(entry.period.id);
    if (entry.breakdown) query += '&breakdown=' + encodeURIComponent(breakdownText(entry.breakdown));
    fetch('/v1/measures/' + encodeURIComponent(entry.measureId) + '/series' + query, { headers: { accept: 'application/json' } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (series) { if (series) drawChart(cell, series); else cell.textContent = ''; })
      .catch(function () { cell.textContent = ''; });
  }

  function render(snapshot) {
    tbody.textContent = '';
    snapshotLine.textContent = 'Snapshot ' + snapshot.snapshotId + ': ' + (snapshot.forceName || snapshot.forceId) + ' as of ' + snapshot.asOf +
      ', revision ' + snapshot.revision + ', generated ' + snapshot.generatedAt + ' ';
    var csv = el('a', null, 'CSV');
    csv.href = '/v1/snapshots/' + encodeURIComponent(snapshot.snapshotId) + '?format=csv';
    snapshotLine.appendChild(csv);
    snapshot.measures.forEach(function (entry) {
      var measure = data.measures[entry.measureId] || { title: entry.measureId, defaultPeriod: entry.period.id };
      if (!allRows.checked && (entry.breakdown || entry.period.id !== measure.defaultPeriod)) return;
      var row = el('tr');
      var name = el('td');
      name.appendChild(el('div', null, measure.title));
      name.appendChild(el('div', 'sub', entry.measureId + (entry.breakdown ? ' (' + breakdownText(entry.breakdown) + ')' : '')));
      row.appendChild(name);
      var period = el('td');
      period.appendChild(el('div', null, entry.period.id));
      period.appendChild(el('div', 'sub', entry.period.label));
      row.appendChild(period);
      row.appendChild(el('td', 'num value', entry.value === null ? flagsOf(entry) || '-' : withUnit(entry.value, entry.unit)));
      row.appendChild(el('td', 'num', entry.numerator === null ? '' : num(entry.numerator, 2) + (entry.denominator === null ? '' : ' / ' + num(entry.denominator, 2))));
      row.appendChild(el('td', 'num', entry.ci ? withUnit(entry.ci.lower, entry.unit) + ' to ' + withUnit(entry.ci.upper, entry.unit) : ''));
      row.appendChild(el('td', 'num', entry.target === undefined || entry.target === null ? '' : withUnit(entry.target, entry.unit)));
      row.appendChild(el('td', entry.status ? entry.status.replace(' ', '-') : null, entry.status || ''));
      row.appendChild(el('td', null, entry.trend ? entry.trend.label + ' (' + (entry.trend.changePercent > 0 ? '+' : '') + num(entry.trend.changePercent, 1) + '%)' : ''));
      row.appendChild(el('td', null, entry.msg && entry.msg.rank ? entry.msg.rank + (entry.msg.comparison ? ' (' + entry.msg.comparison + ')' : '') : ''));
      row.appendChild(el('td', 'flags', flagsOf(entry)));
      var chart = el('td');
      row.appendChild(chart);
      tbody.appendChild(row);
      loadChart(chart, snapshot.forceId, entry, snapshot.asOf);
    });
  }

  function load() {
    var forceId = select.value;
    statusLine.textContent = 'Loading ' + forceId + '\\u2026';
    snapshotLine.textContent = '';
    tbody.textContent = '';
    current = null;
    history.replaceState(null, '', '/?forceId=' + encodeURIComponent(forceId));
    fetch('/v1/snapshots/latest?forceId=' + encodeURIComponent(forceId), { headers: { accept: 'application/json' } })
      .then(function (response) {
        if (response.status === 401) { location.href = '/login'; return null; }
        return response.json().then(function (body) {
          if (!response.ok) { statusLine.textContent = body.message || ('HTTP ' + response.status); return null; }
          return body;
        });
      })
      .then(function (snapshot) {
        if (!snapshot) return;
        statusLine.textContent = '';
        current = snapshot;
        render(snapshot);
      })
      .catch(function (error) { statusLine.textContent = 'Could not load the snapshot: ' + error.message; });
  }

  select.addEventListener('change', load);
  allRows.addEventListener('change', function () { if (current) render(current); });
  load();
})();
`;

export interface DashboardPageOptions {
  readonly forces: readonly string[];
  readonly selectedForce?: string | undefined;
  readonly measures: readonly MeasureDefinition[];
}

export function renderDashboardPage(options: DashboardPageOptions): string {
  const selected = options.selectedForce !== undefined && options.forces.includes(options.selectedForce) ? options.selectedForce : options.forces[0];
  const forceOptions = options.forces
    .map((force) => `<option value="${escapeHtml(force)}"${force === selected ? ' selected' : ''}>${escapeHtml(force)}</option>`)
    .join('');
  const measures = Object.fromEntries(
    options.measures.map((measure) => [measure.id, { title: measure.title, unit: measure.unit, direction: measure.direction, defaultPeriod: defaultPeriodOf(measure) }]),
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Rollcall dashboard</title>
<style>${DASHBOARD_STYLE}</style>
</head>
<body>
<header>
<h1>Rollcall</h1>
<label>Force <select id="force">${forceOptions}</select></label>
<label class="toggle"><input type="checkbox" id="all-rows"> every period and breakdown</label>
<a href="/admin/queues">Queues</a>
<form method="post" action="/logout"><button type="submit">Log out</button></form>
</header>
<main>
<p id="snapshot"></p>
<p id="status" role="status"></p>
<table>
<thead><tr><th>Measure</th><th>Period</th><th>Value</th><th>Numerator / denominator</th><th>95% CI</th><th>Target</th><th>Status</th><th>Trend</th><th>MSG rank</th><th>Flags</th><th>Last 12 months</th></tr></thead>
<tbody id="measures"></tbody>
</table>
<p class="sub">Flags: [c] suppressed (small count), [x] not available, [z] not applicable, [r] revised, [p] provisional.</p>
</main>
<script type="application/json" id="rollcall-data">${jsonForScript({ forces: options.forces, measures })}</script>
<script>${DASHBOARD_SCRIPT}</script>
</body>
</html>
`;
}
