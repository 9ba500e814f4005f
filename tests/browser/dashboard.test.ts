import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ChartPoint, FigureCard, LiveData, MeasurePageData, ScorecardData } from '@rollcall/dashboard';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import {
  type BrowserKit,
  CHROMIUM_PATH,
  createBrowserKit,
  DOCS_SCREENSHOT_DIR,
  FAILURE_DIR,
  logIn,
  NO_CHROMIUM_MESSAGE,
  viewDrawn,
} from './support/browser-kit.ts';
import { AMBER_MEASURE, SEED_FORCE } from './support/seed-year.ts';

/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against a year of
 * published data: logging in and out through the form, the scorecard, a measure page whose chart
 * points are read back from ECharts and compared with the API, the amber rule, the 390 px layout,
 * axe-core, the live view and the printed report. One browser for the file; a failing test leaves
 * a screenshot in var/browser-failures. With ROLLCALL_SCREENSHOTS=docs the screenshots of
 * docs/operations.md are (re)written to docs/screenshots.
 */

if (CHROMIUM_PATH === undefined) console.warn(NO_CHROMIUM_MESSAGE);
const WRITE_DOCS = process.env.ROLLCALL_SCREENSHOTS === 'docs';
const MEASURE_PATH = `/measures/${AMBER_MEASURE}?forceId=${SEED_FORCE}`;
const require = createRequire(import.meta.url);
/** Evaluated through the DevTools protocol, which the pages' CSP (no inline script) does not govern. */
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let kit: BrowserKit;

describe.skipIf(CHROMIUM_PATH === undefined)('dashboard in Chromium', () => {
  beforeAll(async () => {
    kit = await createBrowserKit();
  });
  afterAll(async () => {
    await kit?.close();
  });

  /** A page logged in with the token (its own cookies), which leaves a screenshot if the test fails. */
  async function loggedIn(name: 'reader' | 'everything', width = 1366, testName = 'page'): Promise<Page> {
    const page = await kit.newPage(width);
    onTestFailed(async () => {
      await page
        .screenshot({ path: join(FAILURE_DIR, `${testName.replace(/[^a-z0-9]+/gi, '-')}.png`), fullPage: true })
        .catch(() => undefined);
    });
    await logIn(page, kit.tokens[name]);
    return page;
  }

  /** For the docs: the whole page, or its first `height` pixels (the report's first printed pages). */
  async function screenshot(page: Page, name: string, height?: number): Promise<void> {
    if (!WRITE_DOCS) return;
    const path = join(DOCS_SCREENSHOT_DIR, `${name}.png`);
    const width = page.viewportSize()?.width ?? 1366;
    await page.screenshot(
      height === undefined ? { path, fullPage: true } : { path, fullPage: true, clip: { x: 0, y: 0, width, height } },
    );
  }

  /** Serious and critical axe-core violations of the page as it stands. */
  async function axeViolations(page: Page): Promise<string[]> {
    await page.evaluate(AXE_SOURCE);
    const violations = await page.evaluate(async () => {
      const axe = (
        window as unknown as {
          axe: {
            run: (
              context: Document,
            ) => Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown[] }[] }[] }>;
          };
        }
      ).axe;
      const result = await axe.run(document);
      return result.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        targets: violation.nodes.map((node) => JSON.stringify(node.target)),
      }));
    });
    return violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => `${violation.id}: ${violation.targets.join(' ')}`);
  }

  /** The data of every series of the ECharts chart in `#id`. */
  async function chartSeries(
    page: Page,
    id: string,
  ): Promise<{ name: string; data: unknown[]; markLine?: { data: unknown[] } }[]> {
    return page.evaluate((chartId) => {
      const element = document.getElementById(chartId);
      const echarts = (
        window as unknown as {
          echarts?: { getInstanceByDom(element: HTMLElement): { getOption(): unknown } | undefined };
        }
      ).echarts;
      if (element === null || echarts === undefined) throw new Error(`no chart #${chartId}`);
      const option = echarts.getInstanceByDom(element)?.getOption() as
        { series: { name: string; data: unknown[]; markLine?: { data: unknown[] } }[] } | undefined;
      if (option === undefined) throw new Error(`#${chartId} has no chart`);
      return option.series.map((series) => ({
        name: series.name,
        data: series.data,
        ...(series.markLine && { markLine: { data: series.markLine.data } }),
      }));
    }, id);
  }

  it('logs in and out through the form: the page posts with its Origin, the cookie goes, the pages ask for a login again', async ({
    task,
  }) => {
    const page = await loggedIn('reader', 1366, task.name);
    expect(new URL(page.url()).pathname).toBe('/');
    const cookies = await page.context().cookies();
    const token = cookies.find((cookie) => cookie.name === 'rollcall_token');
    expect(token).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookies.find((cookie) => cookie.name === 'rollcall_csrf')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
    await viewDrawn(page);
    // A reader has no admin scope: no Queues link to a 403.
    expect(await page.getByRole('link', { name: 'Queues' }).count()).toBe(0);
    await Promise.all([page.waitForURL('**/login'), page.getByRole('button', { name: 'Log out' }).click()]);
    expect((await page.context().cookies()).find((cookie) => cookie.name === 'rollcall_token')).toBeUndefined();
    await page.goto('/');
    expect(new URL(page.url()).pathname).toBe('/login');
    // A wrong token is said on the form, not as JSON.
    await page.getByLabel('API token').fill('rc_not-a-token');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toBe('That token is not valid.');
    await page.context().close();
  });

  it('shows the admin link to admin tokens only', async ({ task }) => {
    const page = await loggedIn('everything', 1366, task.name);
    await viewDrawn(page);
    await page.getByRole('link', { name: 'Queues' }).click();
    await page.waitForURL('**/admin/queues');
    await page.context().close();
  });

  it('draws a card per headline measure, forces by name, RAG by the amber rule', async ({ task }) => {
    const page = await loggedIn('reader', 1366, task.name);
    await viewDrawn(page);
    const data = await kit.json<ScorecardData>(`/dashboard/data/scorecard?forceId=${SEED_FORCE}`);
    const cards = data.feeds.flatMap((feed) => feed.cards);
    expect(await page.locator('article.card').count()).toBe(cards.length);
    expect(await page.locator('#force option:checked').textContent()).toBe('Avon and Somerset');
    expect(await page.locator('h1').textContent()).toBe('Scorecard: Avon and Somerset');

    // The rule, from the published figures: green when the target is met, amber when it is not but
    // the 95% interval reaches it, red otherwise; the page colours each card so.
    const expected = (card: FigureCard) => {
      if (card.value === null || card.target === null || card.status === null) return 'none';
      const atLeast = card.direction !== 'lower-is-better';
      if (atLeast ? card.value >= card.target : card.value < card.target) return 'green';
      if (card.ci && (atLeast ? card.ci.upper >= card.target : card.ci.lower < card.target)) return 'amber';
      return 'red';
    };
    const shown = await page
      .locator('article.card')
      .evaluateAll((nodes) => nodes.map((node) => [node.getAttribute('data-measure'), node.getAttribute('data-rag')]));
    expect(Object.fromEntries(shown)).toEqual(
      Object.fromEntries(cards.map((card) => [card.measureId, expected(card)])),
    );
    const amber = page.locator(`article.card[data-measure="${AMBER_MEASURE}"]`);
    expect(await amber.getAttribute('data-rag')).toBe('amber');
    // 89.97% against 90%: shown with the decimal that tells them apart, and the reason in words.
    expect(await amber.locator('.value').textContent()).toBe('89.97%');
    expect(await amber.locator('.rag').textContent()).toContain('the 95% interval reaches the target');
    expect(await amber.locator('ul.flags').textContent()).toContain('[p] provisional');
    expect(await page.locator('article.card[data-rag="red"]').count()).toBeGreaterThan(0);
    await screenshot(page, 'scorecard-1366');
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('draws the measure page: one point per month read back from ECharts equals the API, target line, interval, MSG, revisions', async ({
    task,
  }) => {
    const page = await loggedIn('reader', 1366, task.name);
    await page.goto(MEASURE_PATH);
    await viewDrawn(page);
    await page.waitForFunction(() => document.getElementById('chart-monthly')?.querySelector('canvas') !== null);
    const data = await kit.json<MeasurePageData>(`/dashboard/data/measures/${AMBER_MEASURE}?forceId=${SEED_FORCE}`);
    const monthly = await chartSeries(page, 'chart-monthly');
    const complete = data.monthly.filter((point) => !point.provisional);
    // 12 complete months and the month to date apart: one point per period, never one per snapshot.
    expect(complete.map((point) => point.periodEnd)).toEqual(kit.seeded.monthEnds);
    expect(data.monthly.filter((point) => point.provisional).map((point) => point.periodEnd)).toEqual([
      kit.seeded.monthToDate,
    ]);
    const value = monthly.find((series) => series.name === 'Value');
    expect(value?.data).toEqual([...complete.map((point) => point.value), null]);
    expect(monthly.find((series) => series.name === 'Month to date (provisional)')?.data.at(-1)).toBe(
      data.monthly.at(-1)?.value,
    );
    expect(value?.markLine?.data).toEqual([expect.objectContaining({ yAxis: 90 })]);
    const lower = monthly.find((series) => series.name === 'interval-lower')?.data;
    const width = monthly.find((series) => series.name === '95% interval')?.data;
    complete.forEach((point: ChartPoint, index) => {
      expect(lower?.[index]).toBe(point.ci?.lower);
      expect(width?.[index]).toBeCloseTo((point.ci?.upper ?? 0) - (point.ci?.lower ?? 0), 9);
    });

    // The same figures as the series route publishes for each month end.
    const series = await kit.json<{ points: { asOf: string; value: number | null }[] }>(
      `/v1/measures/${AMBER_MEASURE}/series?forceId=${SEED_FORCE}&period=month&from=${kit.seeded.monthEnds[0]}&to=${kit.seeded.monthToDate}`,
    );
    const byDay = new Map(series.points.map((point) => [point.asOf, point.value]));
    expect(complete.map((point) => point.value)).toEqual(kit.seeded.monthEnds.map((day) => byDay.get(day)));

    const msg = await chartSeries(page, 'chart-msg');
    expect((msg[0]?.data as { value: number }[]).map((bar) => bar.value)).toEqual(
      [...(data.msg?.bars ?? [])].reverse().map((bar) => bar.value),
    );
    expect(data.msg?.bars.map((bar) => bar.name).sort()).toEqual(['Avon and Somerset', 'Essex', 'Kent']);
    expect(await page.locator('table.revisions tbody tr').count()).toBe(2);
    expect(await page.locator('table.revisions tbody tr').last().textContent()).toContain(
      `${2 * kit.seeded.lateCalls} late events`,
    );
    expect(await page.getByRole('heading', { name: 'About this measure' }).count()).toBe(1);
    await screenshot(page, 'measure-1366');
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('fits 390 px without sideways scrolling', async ({ task }) => {
    const page = await loggedIn('reader', 390, task.name);
    for (const path of [
      `/?forceId=${SEED_FORCE}`,
      MEASURE_PATH,
      `/live?forceId=${SEED_FORCE}`,
      `/report?forceId=${SEED_FORCE}`,
    ]) {
      await page.goto(path);
      await viewDrawn(page);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect({ path, overflow }).toEqual({ path, overflow: 0 });
      if (path.startsWith('/?')) await screenshot(page, 'scorecard-390', 2200);
      if (path === MEASURE_PATH) {
        await page.waitForFunction(() => document.getElementById('chart-monthly')?.querySelector('canvas') !== null);
        await screenshot(page, 'measure-390');
      }
    }
    await page.context().close();
  });

  it('shows calls waiting now from call state, small counts suppressed, and refreshes by itself', async ({ task }) => {
    const page = await loggedIn('reader', 1366, task.name);
    await page.goto(`/live?forceId=${SEED_FORCE}`);
    await viewDrawn(page);
    const row = (channel: string, queue: string) =>
      page.locator(`tr[data-channel="${channel}"][data-queue="${queue}"] td`);
    expect(await row('999', 'primary').first().textContent()).toBe(String(kit.waiting.calls999));
    // Two 101 calls: a count from 1 to 4, suppressed for a reader.
    expect(await row('101', 'primary').first().textContent()).toBe('[c]');
    const refreshed = await page.waitForResponse((response) => response.url().includes('/dashboard/data/live'), {
      timeout: 15_000,
    });
    expect(((await refreshed.json()) as LiveData).queues.find((queue) => queue.channel === '999')?.waiting).toBe(
      kit.waiting.calls999,
    );
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
    // Communications-centre staff (read:ops) see the exact count.
    const exact = await kit.json<LiveData>(`/dashboard/data/live?forceId=${SEED_FORCE}`, 'everything');
    expect(exact.queues.find((queue) => queue.channel === '101' && queue.queue === 'primary')?.waiting).toBe(
      kit.waiting.calls101,
    );
  });

  it('prints the report: measures grouped by priority, a chart and narrative each, no navigation', async ({ task }) => {
    const page = await loggedIn('reader', 1366, task.name);
    for (const width of [1366, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ media: 'screen' });
      await page.goto(`/report?forceId=${SEED_FORCE}`);
      await viewDrawn(page);
      await page.waitForFunction(
        () =>
          document.querySelectorAll('.report-measure canvas').length ===
          document.querySelectorAll('.report-measure').length,
      );
      expect(await page.locator('section.priority h2').first().textContent()).toBe(
        'Answering the public when they call',
      );
      const amber = page.locator('article.report-measure', {
        has: page.getByRole('heading', { name: '999 calls answered within 10 seconds', exact: true }),
      });
      expect(await amber.locator('.narrative').textContent()).toContain(
        '89.97% for 12 months 2023-05 to 2024-04-15 (95% interval 88.7% to 91.3%); against a target of 90% it is nearly met',
      );
      if (width === 1366) expect(await axeViolations(page)).toEqual([]);
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('header.site').isVisible()).toBe(false);
      await screenshot(page, `report-print-${width}`, width === 1366 ? 2000 : 2600);
      if (width === 1366) expect((await page.pdf({ format: 'A4' })).subarray(0, 5).toString()).toBe('%PDF-');
    }
    await page.context().close();
  });

  it('has no serious accessibility problems on the login page', async () => {
    const page = await kit.newPage(1366);
    await page.goto('/login');
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
  });
});
