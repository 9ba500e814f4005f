import { BarChart, LineChart, ScatterChart } from 'echarts/charts';
import {
  AriaComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TooltipComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { formatValue } from '../format-value.ts';
import type { ChartPoint, MsgChart } from '../view-data.ts';

echarts.use([
  LineChart,
  BarChart,
  ScatterChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  MarkLineComponent,
  MarkAreaComponent,
  AriaComponent,
  CanvasRenderer,
]);

/** Tests and curious readers find a chart's data with `echarts.getInstanceByDom(element).getOption()`. */
declare global {
  interface Window {
    echarts?: typeof echarts;
  }
}
window.echarts = echarts;

const BLUE = '#1d4ed8';
const GREY = '#6b7280';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2024-03-31` → `Mar 2024`; a month to date says so: `Apr 2024 to 15th (provisional)`. */
export function periodName(point: Pick<ChartPoint, 'periodEnd' | 'provisional'>, short = false): string {
  const [year = '', month = '1', day = ''] = point.periodEnd.split('-');
  const name = `${MONTHS[Number(month) - 1] ?? month} ${year}`;
  if (!point.provisional) return name;
  return short ? `${name} [p]` : `${name} to ${Number(day)}th (provisional)`;
}

/**
 * Axis limits that show the values, their intervals and the target, with at least a sensible span
 * (10 points for a percentage, a tenth of the value otherwise), so a change from 90.52% to 90.54%
 * is drawn as the flat line it is, not a cliff.
 */
export function axisRange(values: readonly number[], unit: string): { min: number; max: number } {
  if (values.length === 0) return { min: 0, max: 1 };
  let low = Math.min(...values);
  let high = Math.max(...values);
  const minimumSpan = unit === 'percent' ? 10 : Math.max(Math.abs(high) * 0.1, 1);
  if (high - low < minimumSpan) {
    const middle = (high + low) / 2;
    low = middle - minimumSpan / 2;
    high = middle + minimumSpan / 2;
  }
  const pad = (high - low) * 0.08;
  low -= pad;
  high += pad;
  if (unit === 'percent') {
    low = Math.max(0, low);
    high = Math.min(100, high);
  }
  if (Math.min(...values) >= 0) low = Math.max(0, low);
  const step = niceStep((high - low) / 5);
  return { min: Math.floor(low / step) * step, max: Math.ceil(high / step) * step };
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

/**
 * A line of one point per complete period, the 95% interval as a band (a transparent lower line
 * and the interval's width stacked on it), the target as a dashed line, and the month to date as a
 * hollow point apart from the line, named provisional.
 */
export function lineChartOption(
  title: string,
  points: readonly ChartPoint[],
  unit: string,
  compact = false,
): echarts.EChartsCoreOption {
  const complete = points.filter((point) => !point.provisional);
  const provisional = points.filter((point) => point.provisional);
  const ordered = [...complete, ...provisional];
  const categories = ordered.map((point) => periodName(point, compact));
  const target = ordered.find((point) => point.target !== null)?.target ?? null;
  const numbers = ordered
    .flatMap((point) => [point.value, point.ci?.lower, point.ci?.upper])
    .filter((value): value is number => typeof value === 'number');
  if (target !== null) numbers.push(target);
  const range = axisRange(numbers, unit);
  const format = (value: number) => formatValue(value, unit);
  const hasBand = ordered.some((point) => point.ci !== null);
  return {
    aria: { enabled: true, label: { description: `${title}. ${describe(ordered, unit, target)}` } },
    animation: false,
    // Compact (the report, a chart per measure): unrotated labels that skip where they would overlap.
    grid: compact ? { left: 60, right: 20, top: 34, bottom: 28 } : { left: 64, right: 24, top: 40, bottom: 64 },
    legend: {
      top: 0,
      data: [
        'Value',
        ...(hasBand ? ['95% interval'] : []),
        ...(provisional.length > 0 ? ['Month to date (provisional)'] : []),
      ],
    },
    tooltip: { trigger: 'axis', valueFormatter: (value: unknown) => (typeof value === 'number' ? format(value) : '–') },
    xAxis: compact
      ? { type: 'category', data: categories, axisLabel: { fontSize: 11, hideOverlap: true } }
      : {
          type: 'category',
          data: categories,
          axisLabel: { rotate: 45, fontSize: 11 },
          name: 'Period',
          nameLocation: 'middle',
          nameGap: 50,
        },
    yAxis: {
      type: 'value',
      min: range.min,
      max: range.max,
      splitNumber: compact ? 3 : 5,
      axisLabel: { formatter: format },
      ...(!compact && { name: unitName(unit), nameLocation: 'middle', nameGap: 50 }),
    },
    series: [
      {
        name: 'Value',
        type: 'line',
        data: ordered.map((point) => (point.provisional ? null : point.value)),
        itemStyle: { color: BLUE },
        symbolSize: 6,
        connectNulls: false,
        ...(target !== null && {
          markLine: {
            symbol: 'none',
            silent: true,
            lineStyle: { type: 'dashed', color: '#b45309', width: 2 },
            label: { formatter: `Target ${format(target)}`, position: 'insideEndTop' },
            data: [{ yAxis: target }],
          },
        }),
      },
      ...(hasBand
        ? [
            {
              name: 'interval-lower',
              type: 'line',
              stack: 'ci',
              symbol: 'none',
              lineStyle: { opacity: 0 },
              data: ordered.map((point) => (point.provisional ? null : (point.ci?.lower ?? null))),
              tooltip: { show: false },
            },
            {
              name: '95% interval',
              type: 'line',
              stack: 'ci',
              symbol: 'none',
              lineStyle: { opacity: 0 },
              areaStyle: { color: BLUE, opacity: 0.15 },
              itemStyle: { color: '#93c5fd' },
              data: ordered.map((point) => (point.ci && !point.provisional ? point.ci.upper - point.ci.lower : null)),
              tooltip: { show: false },
            },
          ]
        : []),
      {
        name: 'Month to date (provisional)',
        type: 'scatter',
        data: ordered.map((point) => (point.provisional ? point.value : null)),
        symbol: 'emptyCircle',
        symbolSize: 10,
        itemStyle: { color: GREY, borderType: 'dashed', borderWidth: 2 },
      },
    ],
  };
}

function unitName(unit: string): string {
  return unit === 'percent'
    ? 'Percent'
    : unit === 'seconds'
      ? 'Seconds'
      : unit === 'days'
        ? 'Days'
        : unit === 'per-1000'
          ? 'Per 1,000'
          : unit === 'count'
            ? 'Count'
            : '';
}

function describe(points: readonly ChartPoint[], unit: string, target: number | null): string {
  const complete = points.filter((point) => !point.provisional && point.value !== null);
  if (complete.length === 0) return 'No figures for the period.';
  const first = complete[0];
  const last = complete.at(-1);
  if (first === undefined || last === undefined) return '';
  const values = complete.map((point) => point.value ?? 0);
  return (
    `${complete.length} periods from ${periodName(first)} to ${periodName(last)}: lowest ${formatValue(Math.min(...values), unit)}, ` +
    `highest ${formatValue(Math.max(...values), unit)}, latest ${formatValue(last.value, unit)}` +
    (target === null ? '.' : `; target ${formatValue(target, unit)}.`)
  );
}

/** MSG forces ranked, best at the top, the force itself highlighted; the MSG average and the national band drawn. */
export function msgChartOption(title: string, msg: MsgChart, unit: string): echarts.EChartsCoreOption {
  const bars = [...msg.bars].reverse();
  const format = (value: number) => formatValue(value, unit);
  const numbers = bars.flatMap((bar) => (bar.value === null ? [] : [bar.value]));
  if (msg.average !== null) numbers.push(msg.average);
  if (msg.band) numbers.push(msg.band.lower, msg.band.upper);
  // Bars start at zero: a bar's length is its value, so a cut axis would exaggerate differences.
  const range = { min: 0, max: axisRange(numbers, unit).max };
  return {
    aria: {
      enabled: true,
      label: {
        description: `${title}, most similar group: ${msg.bars.map((bar) => `${bar.name} ${bar.value === null ? 'no figure' : format(bar.value)}`).join(', ')}.`,
      },
    },
    animation: false,
    grid: { left: 150, right: 30, top: 30, bottom: 40 },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      valueFormatter: (value: unknown) => (typeof value === 'number' ? format(value) : '–'),
    },
    xAxis: { type: 'value', min: range.min, max: range.max, axisLabel: { formatter: format } },
    yAxis: { type: 'category', data: bars.map((bar) => bar.name), axisLabel: { width: 140, overflow: 'truncate' } },
    series: [
      {
        name: 'Value',
        type: 'bar',
        data: bars.map((bar) => ({ value: bar.value, itemStyle: { color: bar.self ? BLUE : '#9ca3af' } })),
        // One more decimal on the bars: close forces are ranked apart, and their labels should say why.
        label: {
          show: true,
          position: 'insideRight',
          formatter: (item: { value: unknown }) =>
            typeof item.value === 'number' ? formatValue(item.value, unit, 1) : '',
          color: '#fff',
        },
        markLine:
          msg.average === null
            ? undefined
            : {
                symbol: 'none',
                silent: true,
                lineStyle: { color: '#111', type: 'dashed', width: 2 },
                label: { formatter: `MSG average ${format(msg.average)}`, position: 'end' },
                data: [{ xAxis: msg.average }],
              },
        markArea: msg.band
          ? {
              silent: true,
              itemStyle: { color: '#16a34a', opacity: 0.15 },
              label: { show: false },
              data: [[{ xAxis: msg.band.lower }, { xAxis: msg.band.upper }]],
            }
          : undefined,
      },
    ],
  };
}

/** Draws an option into a container, and keeps it sized to it (the page's width changes, printing). */
export function drawChart(container: HTMLElement, option: echarts.EChartsCoreOption): echarts.ECharts {
  const chart = echarts.init(container, undefined, { renderer: 'canvas' });
  chart.setOption(option);
  new ResizeObserver(() => chart.resize()).observe(container);
  return chart;
}
