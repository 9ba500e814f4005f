/**
 * Writes docs/measures.md from the measure catalog: every measure with its definition, unit,
 * direction, periods, target, source and a worked example computed by the measure's own
 * `compute`, so the document cannot drift from the code. `pnpm docs:measures` runs it; a test
 * (src/measures-doc.test.ts) fails when the committed file differs from what this produces.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_SETTINGS, exampleInputOf } from '../src/definitions/measure-input-of.ts';
import { MEASURES } from '../src/measure-catalog.ts';
import type { MeasureDefinition, MeasureFeed, MeasureResult, MeasureUnit } from '../src/measure-definition.ts';
import type { PeriodKind } from '../src/periods.ts';
import { targetStatus } from '../src/target-status.ts';

/** Where the document lives, from the repository root. */
export const MEASURES_DOC_PATH = fileURLToPath(new URL('../../../docs/measures.md', import.meta.url));

const FEED_TITLES: Readonly<Record<MeasureFeed, string>> = {
  'call-handling': 'Call handling',
  'wanted-persons': 'Wanted persons',
  dvpo: 'Domestic violence protection notices and orders',
  'stop-search': 'Stop and search',
};

const PERIOD_NAMES: Readonly<Record<PeriodKind, string>> = {
  month: 'month',
  'rolling-12m': 'rolling 12 months',
  'financial-year': 'financial year',
  'as-at': 'as at',
  custom: 'custom',
};

const UNIT_NAMES: Readonly<Record<MeasureUnit, string>> = {
  percent: 'percent',
  count: 'count',
  seconds: 'seconds',
  days: 'days',
  'per-1000': 'per 1,000',
  ratio: 'ratio',
  'percent-change': 'percent change',
};

/** Thousands separated by commas, at most 3 decimals, trailing zeros dropped: 8,940 and 89.4 and 8.125. */
export function formatNumber(value: number): string {
  const [whole = '0', fraction] = Math.abs(value)
    .toFixed(3)
    .replace(/\.?0+$/, '')
    .split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sign = value < 0 && (whole !== '0' || fraction !== undefined) ? '−' : '';
  return `${sign}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

const figure = (value: number | null | undefined): string =>
  value === null || value === undefined ? '—' : formatNumber(value);

/** A table cell: pipes escaped, no line breaks. */
const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

const anchorOf = (id: string): string => id.replaceAll(/[^a-z0-9_-]/g, '');

function breakdownText(result: MeasureResult): string {
  return result.breakdown === undefined
    ? 'headline'
    : Object.entries(result.breakdown)
        .map(([key, value]) => `${key} = ${value}`)
        .join(', ');
}

function resultRow(measure: MeasureDefinition, result: MeasureResult): string {
  const ci = result.ci
    ? `95% CI ± ${formatNumber(result.ci.halfWidth)}${result.ci.wilson ? ` (Wilson ${formatNumber(result.ci.wilson.lower)} to ${formatNumber(result.ci.wilson.upper)})` : ''}`
    : '';
  const target = result.breakdown === undefined ? measure.target?.(DEFAULT_SETTINGS) : undefined;
  const status = target && result.value !== null ? `target ${targetStatus(result.value, target, result.ci)}` : '';
  const extra = [
    ...Object.entries(result.extra ?? {}).map(
      ([key, value]) => `${key}: ${typeof value === 'number' ? formatNumber(value) : String(value)}`,
    ),
    ...(result.notes ?? []),
  ].join('; ');
  return `| ${cell(breakdownText(result))} | ${figure(result.value)} | ${figure(result.numerator)} | ${figure(result.denominator)} | ${[ci, status, extra].filter(Boolean).map(cell).join('; ')} |`;
}

function measureSection(measure: MeasureDefinition): string[] {
  const target = measure.target?.(DEFAULT_SETTINGS);
  const facts = [
    `| unit | ${UNIT_NAMES[measure.unit]} |`,
    `| direction | ${measure.direction.replaceAll('-', ' ')} |`,
    `| periods | ${measure.periods.map((kind) => PERIOD_NAMES[kind]).join(', ')} |`,
    `| feed | ${measure.feed} |`,
    ...(target
      ? [
          `| target | ${target.rule === 'at-least' ? 'at least' : 'below'} ${formatNumber(target.value)} with the national default settings: ${cell(target.source)} |`,
        ]
      : []),
    `| compared across forces | ${measure.comparison ? `yes: MSG rank and weighted average, national outliers (Σ numerator ÷ Σ denominator × ${formatNumber(measure.comparison.scale)})` : 'no'} |`,
  ];
  const lines = [
    `### \`${measure.id}\``,
    '',
    `**${measure.title}**`,
    '',
    '| | |',
    '| --- | --- |',
    ...facts,
    '',
    `**Definition.** ${measure.definition}`,
    '',
  ];
  lines.push(
    `**Source.** ${measure.source === '' ? 'measures.md quotes no published figure for this measure.' : measure.source}`,
    '',
  );
  if (measure.example) {
    const results = measure.compute(exampleInputOf(measure.example));
    const settings = measure.example.settings
      ? ` Settings: ${Object.entries(measure.example.settings)
          .map(([key, value]) => `${key} = ${JSON.stringify(value)}`)
          .join(', ')}.`
      : '';
    lines.push(
      `**Example.** ${measure.example.description}${settings}`,
      '',
      '| breakdown | value | numerator | denominator | also |',
      '| --- | --- | --- | --- | --- |',
      ...results.map((result) => resultRow(measure, result)),
      '',
    );
  }
  return lines;
}

/** The whole document, from the catalog. */
export function renderMeasuresDoc(measures: readonly MeasureDefinition[] = MEASURES): string {
  const feeds = [...new Set(measures.map((measure) => measure.feed))];
  const lines = [
    '# Measures',
    '',
    '<!-- Generated from packages/measures/src/definitions by `pnpm docs:measures`; do not edit by hand. A test fails when this file differs from the definitions. -->',
    '',
    'Every measure a snapshot publishes, with the definition it is computed by, its unit and direction, the periods it is published for, its target where it has one, ' +
      'the published figure it reproduces, and a worked example computed by the measure itself from a small input.',
    '',
    'Conventions. Shares are in percent (89.4, not 0.894) and confidence intervals in percentage points; counts are counts; times are in seconds; rates are per 1,000 residents; ' +
      'disproportionality is a ratio of two rates per 1,000. Every entry carries a numerator and a denominator: numerator ÷ denominator × 100 gives a percent, × 1,000 a rate per 1,000, ' +
      'and numerator ÷ denominator a mean or a ratio; a median, a percentile or a longest wait has no numerator and, as denominator, the number of observations it is taken over. ' +
      'Periods are London-local: the calendar month, the rolling 12 months and the financial year up to the as-of day, custom reporting periods of the force, and as at the end of the as-of day. ' +
      'A flow measure needs data from its feed in every month of the period, otherwise it is not available ([x]); a share of nothing is not applicable ([z]); counts from 1 to 4, and anything ' +
      'they could be recovered from, are suppressed ([c]).',
    '',
    'Target status. A value that meets its target is `met`. One that misses it while its 95% confidence interval reaches the target is `nearly met` (amber): the shortfall is within ' +
      'what chance alone could produce (the amber of a red-amber-green rating, read from the interval rather than a fixed margin), so a reader does not act on noise as on a miss. ' +
      'Otherwise it is `not met`. `TARGET_NEARLY_MET=off` keeps met / not met only; every snapshot states the rule in `rules.targetStatus`.',
    '',
    'Rank intervals. Beside its rank in the most similar group, a measure whose numerators count events (shares and rates per 1,000) gives the 95% interval of the rank, printed as ' +
      '"3rd of 8 (2nd to 5th)": Klein, Wright and Wieczorek (2020), *A joint confidence region for an overall ranking of populations*, Journal of the Royal Statistical Society ' +
      'Series C 69(3), 589–606. Each of the K ranked forces gets a Wilson score interval (a Poisson score interval when a count can exceed its denominator) at level 1 − 0.05/K, ' +
      'so all K hold together with at least 95% confidence; a force is surely better than another only when their intervals do not meet. Best rank = 1 + the forces surely better, ' +
      'worst rank = K − the forces surely worse. Exact: no simulation, no seed. Means and medians of times have a rank without an interval.',
    '',
    'Similar and outlying. "Similar to" the MSG average is within ±5% of it (HMICFRS\'s band) or, for shares and rates, wherever the force\'s own 95% score interval holds the ' +
      "average: a small force's 90% of 20 calls says nothing about the force. The national outlier band is the mean ± 1 SD across forces (on logs when skewed); a force with a " +
      '95% interval is flagged only when its whole interval lies outside the band, allowing for its own sampling variation as a funnel plot does (Spiegelhalter 2005, *Funnel plots ' +
      'for comparing institutional performance*, Statistics in Medicine 24(8), 1185–1202).',
    '',
    'Comparators. Each other force in a comparison is taken from its own events when they are loaded and cover the period, otherwise from a figure it published for exactly that ' +
      'period (police.uk, Home Office or HMICFRS tables loaded with `rollcall import-published`, feeds.md §12), otherwise left out with the reason; `msg.sources` names the source and ' +
      "edition of each comparator whenever one is a publication. The force's own figure always comes from its own events; what was published for it is set beside it in `reconciliation`.",
    '',
    '| measureId | title | unit | direction | periods |',
    '| --- | --- | --- | --- | --- |',
    ...measures.map(
      (m) =>
        `| [\`${m.id}\`](#${anchorOf(m.id)}) | ${cell(m.title)} | ${UNIT_NAMES[m.unit]} | ${m.direction.replaceAll('-', ' ')} | ${m.periods.map((kind) => PERIOD_NAMES[kind]).join(', ')} |`,
    ),
    '',
  ];
  for (const feed of feeds) {
    lines.push(`## ${FEED_TITLES[feed]}`, '');
    for (const measure of measures.filter((m) => m.feed === feed)) lines.push(...measureSection(measure));
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await writeFile(MEASURES_DOC_PATH, renderMeasuresDoc());
  process.stdout.write(`wrote ${MEASURES_DOC_PATH} (${MEASURES.length} measures)\n`);
}
