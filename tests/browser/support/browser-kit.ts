import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type ApiTestKit, createApiTestKit } from '@rollcall/api/test-kit';
import type { FeedEvent } from '@rollcall/contract';
import { storeFeedBatch } from '@rollcall/store';
import { testIngestContext } from '@rollcall/testing';
import { type Browser, chromium, type Page } from 'playwright-core';
import { SEED_FORCE, SEED_MSG_FORCES, type SeededYear, seedYear } from './seed-year.ts';

/**
 * Chromium for the browser tests: CHROMIUM_PATH, else Debian's /usr/bin/chromium (which `.ci/run`
 * installs). Without one the browser tests are skipped and say why; CI always has it.
 */
export const CHROMIUM_PATH = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (path) => path !== undefined && path !== '' && existsSync(path),
);
export const NO_CHROMIUM_MESSAGE =
  'browser tests skipped: no Chromium binary (set CHROMIUM_PATH, or apt-get install -y chromium; .ci/run installs it)';

/** Where a failing test leaves its screenshot, and where screenshots for the docs go when asked for. */
export const FAILURE_DIR = join(import.meta.dirname, '../../../var/browser-failures');
export const DOCS_SCREENSHOT_DIR = join(import.meta.dirname, '../../../docs/screenshots');

/** Tokens of the API test kit: `reader` (read:snapshots), `everything` (with admin and read:ops). */
type TokenName = 'reader' | 'everything';

export interface BrowserKit {
  readonly baseUrl: string;
  readonly api: ApiTestKit;
  readonly seeded: SeededYear;
  readonly browser: Browser;
  readonly tokens: Readonly<Record<TokenName, string>>;
  /** Calls waiting now, seeded at start: 999 primary and 101 primary. */
  readonly waiting: { readonly calls999: number; readonly calls101: number };
  /** JSON from the API with a token, as the page would get it. */
  json<T>(path: string, token?: TokenName): Promise<T>;
  /** A new page (own context: own cookies) at a viewport width. */
  newPage(width: number, height?: number): Promise<Page>;
  close(): Promise<void>;
}

/** Calls presented a few minutes ago and not answered: what the live view reads at request time. */
function waitingCalls(now: number, channel: '999' | '101', count: number): FeedEvent[] {
  return Array.from({ length: count }, (_, index) => {
    const callId = `live-${channel}-${index}`;
    return {
      eventId: `${callId}-p`,
      feed: 'call-handling',
      type: 'call.presented',
      forceId: SEED_FORCE,
      occurredAt: new Date(now - (index + 1) * 40_000).toISOString(),
      schemaVersion: 1,
      payload: { callId, channel, queue: 'primary', ...(channel === '999' && { btTransferSeconds: 0 }) },
    } as FeedEvent;
  });
}

/**
 * The API test kit's API (its own database and queue prefix) listening on a free port, with a
 * seeded year and calls waiting now, and Chromium started alongside.
 */
export async function createBrowserKit(): Promise<BrowserKit> {
  if (CHROMIUM_PATH === undefined) throw new Error(NO_CHROMIUM_MESSAGE);
  const browserStarting = chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  const api = await createApiTestKit({ forces: [SEED_FORCE, ...SEED_MSG_FORCES].join(',') });
  const seeded = await seedYear(api.db);
  const waiting = { calls999: 7, calls101: 2 };
  const now = Date.now();
  await storeFeedBatch(
    api.db,
    {
      feed: 'call-handling',
      inputs: [...waitingCalls(now, '999', waiting.calls999), ...waitingCalls(now, '101', waiting.calls101)],
      source: 'test',
    },
    testIngestContext(),
  );
  const baseUrl = await api.app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await browserStarting;
  await mkdir(FAILURE_DIR, { recursive: true });
  return {
    baseUrl,
    api,
    seeded,
    browser,
    tokens: { reader: api.tokens.reader, everything: api.tokens.everything },
    waiting,
    async json<T>(path: string, token: TokenName = 'reader') {
      const response = await fetch(`${baseUrl}${path}`, {
        headers: { authorization: `Bearer ${api.tokens[token]}`, accept: 'application/json' },
      });
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    },
    async newPage(width, height = 900) {
      const context = await browser.newContext({ viewport: { width, height }, baseURL: baseUrl });
      return context.newPage();
    },
    async close() {
      try {
        await browser.close();
      } finally {
        await api.close();
      }
    },
  };
}

/** Logs in through the form, as a person does, and waits for the page it lands on. */
export async function logIn(page: Page, token: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('API token').fill(token);
  await Promise.all([
    page.waitForURL((url) => url.pathname !== '/login'),
    page.getByRole('button', { name: 'Log in' }).click(),
  ]);
}

/** Waits until the view has drawn (or failed: the test then reads the error). */
export async function viewDrawn(page: Page): Promise<void> {
  await page.waitForFunction(
    () => document.body.dataset['state'] === 'done' || document.body.dataset['state'] === 'error',
  );
}
