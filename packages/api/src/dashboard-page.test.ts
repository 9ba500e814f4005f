import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiTestKit, createApiTestKit, FORCE, OTHER_FORCE, publishExamples } from '../test/api-test-kit.ts';
import { TOKEN_COOKIE } from './auth.ts';
import { DASHBOARD_SCRIPT } from './dashboard-page.ts';

/**
 * The dashboard script run against a minimal DOM (no browser here): just the calls it makes, with
 * `fetch` answered by the API itself through inject() and the login cookie, as a browser would.
 */
class FakeElement {
  children: FakeElement[] = [];
  attributes: Record<string, string> = {};
  className: string | null = null;
  href = '';
  value = '';
  checked = false;
  private text = '';
  private listeners: Record<string, (() => void)[]> = {};

  constructor(readonly tag: string) {}

  get textContent(): string {
    return this.text + this.children.map((child) => child.textContent).join('');
  }
  set textContent(value: string) {
    this.text = value;
    this.children = [];
  }
  appendChild(child: FakeElement): FakeElement {
    this.children.push(child);
    return child;
  }
  setAttribute(name: string, value: string): void {
    this.attributes[name] = value;
  }
  addEventListener(event: string, listener: () => void): void {
    (this.listeners[event] ??= []).push(listener);
  }
  dispatch(event: string): void {
    for (const listener of this.listeners[event] ?? []) listener();
  }
  find(tag: string): FakeElement[] {
    return this.children.flatMap((child) => [...(child.tag === tag ? [child] : []), ...child.find(tag)]);
  }
}

let kit: ApiTestKit;
beforeAll(async () => {
  kit = await createApiTestKit();
  await publishExamples(kit.db);
});
afterAll(async () => {
  await kit?.close();
});

async function runDashboard(forceId: string, token: string) {
  const page = await kit.app.inject({ method: 'GET', url: `/?forceId=${forceId}`, cookies: { [TOKEN_COOKIE]: kit.tokens.reader } });
  const data = /<script type="application\/json" id="rollcall-data">(.*?)<\/script>/s.exec(page.body)![1]!;
  const elements: Record<string, FakeElement> = {
    'rollcall-data': Object.assign(new FakeElement('script'), { textContent: data }),
    force: Object.assign(new FakeElement('select'), { value: forceId }),
    'all-rows': new FakeElement('input'),
    status: new FakeElement('p'),
    snapshot: new FakeElement('p'),
    measures: new FakeElement('tbody'),
  };
  const pending: Promise<unknown>[] = [];
  const fetched: string[] = [];
  const location = { href: '/' };
  const fetch = (url: string, init: { headers: Record<string, string> }) => {
    fetched.push(url);
    const response = kit.app
      .inject({ method: 'GET', url, headers: init.headers, cookies: { [TOKEN_COOKIE]: token } })
      .then((reply) => ({ ok: reply.statusCode < 400, status: reply.statusCode, json: async () => reply.json() as unknown }));
    pending.push(response);
    return response;
  };
  runInNewContext(DASHBOARD_SCRIPT, {
    document: {
      getElementById: (id: string) => elements[id],
      createElement: (tag: string) => new FakeElement(tag),
      createElementNS: (_ns: string, tag: string) => new FakeElement(tag),
    },
    fetch,
    history: { replaceState: () => undefined },
    location,
    Date,
    JSON,
    Math,
    String,
    Object,
  });
  // Each answer may start more fetches (the charts); wait until none is left.
  for (let settled = -1; settled !== pending.length; ) {
    settled = pending.length;
    await Promise.all(pending);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { elements, fetched, location };
}

describe('the dashboard script', () => {
  it('renders the latest snapshot as a table, with a line chart per measure from the series route', async () => {
    const { elements, fetched } = await runDashboard(FORCE, kit.tokens.reader);
    expect(elements.status!.textContent).toBe('');
    expect(elements.snapshot!.textContent).toContain(`Snapshot ${FORCE}_2022-04-30_r1`);
    const rows = elements.measures!.find('tr');
    expect(rows.length).toBeGreaterThanOrEqual(5);
    const cells = (row: FakeElement) => row.children.map((cell) => cell.textContent);
    const calls = rows.map(cells).find((texts) => texts[0]!.includes('calls.999.answered_within_10s'))!;
    // Default period rolling-12m: not available with two months of data, shown by its flag.
    expect(calls[1]).toContain('rolling-12m');
    expect(calls[2]).toBe('[x]');
    expect(fetched).toContain(`/v1/snapshots/latest?forceId=${FORCE}`);
    expect(fetched).toContain(`/v1/measures/calls.999.answered_within_10s/series?forceId=${FORCE}&from=2021-04-30&to=2022-04-30&period=rolling-12m`);
    // A measure whose series has values gets a line, one with none says so.
    expect(elements.measures!.find('svg').length + elements.measures!.find('span').length).toBe(rows.length);
  });

  it('shows values with units, counts and status when every period is shown', async () => {
    const run = await runDashboard(FORCE, kit.tokens.reader);
    run.elements['all-rows']!.checked = true;
    run.elements['all-rows']!.dispatch('change');
    const rows = run.elements.measures!.find('tr').map((row) => row.children.map((cell) => cell.textContent));
    const month = rows.find((texts) => texts[0]!.includes('calls.999.answered_within_10s') && texts[1]!.startsWith('month'))!;
    expect(month[2]).toBe('90%');
    expect(month[3]).toBe('45 / 50');
    expect(month[5]).toBe('90%');
    expect(month[6]).toBe('met');
  });

  it('says when a force has no snapshot', async () => {
    const { elements } = await runDashboard(OTHER_FORCE, kit.tokens.reader);
    expect(elements.status!.textContent).toBe(`no snapshot has been published for force ${OTHER_FORCE}`);
    expect(elements.measures!.find('tr')).toEqual([]);
  });

  it('sends a person without a valid login to /login', async () => {
    const { location } = await runDashboard(FORCE, 'rc_not-a-token');
    expect(location.href).toBe('/login');
  });
});
