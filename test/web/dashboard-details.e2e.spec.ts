import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { startApiProcess, type ApiProcess } from '../support/api-process.js';
import { waitUntil } from '../support/wait-until.js';
import { launchBrowserBeside, openPage, screenshot, waitForExpression } from './support/browser.js';
import { shownAnomalyIds, storedEvents, tokenFor, waitForOutcome } from './support/dashboard.js';

let api: ApiProcess;
let browser: Browser;
let slowId = '';

beforeAll(async () => {
  [api, browser] = await launchBrowserBeside(
    startApiProcess({
      SYNTHETIC_CONTRACTS: '1000',
      INVESTIGATION_PAGE_SIZE: '100',
      // Ten pages of a wide query, a second apart: charts are seen growing before the end.
      INVESTIGATION_STEP_DELAY_MS: '1000',
    }),
    (started) => started.dispose(),
  );
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await api?.dispose();
});

async function start(body: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${api.url}/api/v1/investigations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ data_source: 'synthetic', ...body }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { investigation_id: string }).investigation_id;
}

/** The filters a `dl` of the start form shows, as "label: value" lines. */
const filtersShown = (page: Page, testId: string): Promise<string[]> =>
  page.$$eval(`[data-testid=${testId}] dt`, (terms) =>
    terms.map((dt) => `${dt.textContent ?? ''}: ${dt.nextElementSibling?.textContent ?? ''}`),
  );

async function listed(token: string): Promise<string[]> {
  return (await listedRows(token)).map((row) => row.investigation_id);
}

/** Every row of the list the caller may read, page by page. */
async function listedRows(token: string): Promise<{ investigation_id: string; status: string }[]> {
  const rows: { investigation_id: string; status: string }[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? 'limit=100' : `limit=100&cursor=${encodeURIComponent(cursor)}`;
    const response = await fetch(`${api.url}/api/v1/investigations?${query}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    if (!response.ok)
      throw new Error(`GET /api/v1/investigations answered ${response.status}: ${await response.text()}`);
    const page = (await response.json()) as {
      items: { investigation_id: string; status: string }[];
      next_cursor: string | null;
    };
    rows.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor !== null);
  return rows;
}

/** In the page: the page of the trends charted while the investigation still runs, else false (polled). */
const TRENDS_PAGE_WHILE_RUNNING = `(() => {
  const chart = document.querySelector('[data-testid=monthly-chart]');
  const section = chart && chart.closest('[data-trends-page]');
  const running = document.querySelector('.outcome') === null;
  const points = Number((chart && chart.getAttribute('data-points')) || 0);
  return running && points > 0 && section ? Number(section.getAttribute('data-trends-page')) : false;
})()`;

/** In the page: the event the replay shows the state at and its anomaly rows, read at once, once it reached event n. */
const rowsOnceThrough = (n: number): string => `(() => {
  const through = Number(document.querySelector('[data-testid=replay-count]')?.getAttribute('data-through'));
  if (!(through >= ${n})) return false;
  const rows = [...document.querySelectorAll('[data-testid=anomalies] tbody tr[data-anomaly-id]')];
  return { through, rows: rows.map((row) => row.getAttribute('data-anomaly-id') || '') };
})()`;

const rowIds = (page: Page): Promise<string[]> =>
  page.$$eval('[data-testid=investigations] tbody tr', (rows) => rows.map((row) => row.getAttribute('data-id') ?? ''));

describe('the dashboard, page by page', () => {
  it('shows the filters read from the query before starting, as the user types, and the worker reads the same', async () => {
    const page = await openPage(browser, `${api.url}/`);
    const query = 'Contratos de saúde acima de R$ 100 mil';
    await page.fill('#query', query);
    await page.waitForSelector(`[data-testid=preview-filters][data-query="${query}"]`);
    expect(await filtersShown(page, 'preview-filters')).toContainEqual('Valor mínimo (R$): 100000');
    // Typed key by key: each pause re-reads the query, only the latest answer is shown.
    await page.type('#query', ' em 2024', { delay: 20 });
    await page.waitForSelector(`[data-testid=preview-filters][data-query="${query} em 2024"]`);
    const preview = await filtersShown(page, 'preview-filters');
    expect(preview).toEqual(
      expect.arrayContaining(['Valor mínimo (R$): 100000', 'Data inicial: 2024-01-01', 'Data final: 2024-12-31']),
    );
    // Nothing was started by reading.
    expect(await listed(await tokenFor(api.dataDir, 'carol', 'auditor'))).toEqual([]);
    await screenshot(page, 'start-preview');
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=plan-filters]', { timeout: 30_000 });
    expect((await filtersShown(page, 'plan-filters')).sort()).toEqual([...preview].sort());
    await page.context().close();
  }, 60_000);

  it("charts Anita's trends as pages arrive, before the investigation completes", async () => {
    slowId = await start({ query: 'Contratos' });
    const page = await openPage(browser, `${api.url}/#/investigacoes/${slowId}`);
    const pageOfTrends = async (): Promise<number | undefined> => {
      return waitForExpression<number>(page, TRENDS_PAGE_WHILE_RUNNING, 'a trends page while running');
    };
    const first = await pageOfTrends();
    await screenshot(page, 'investigation-trends-live');
    await waitUntil(
      async () => ((await pageOfTrends()) ?? 0) > (first ?? 0) || undefined,
      'the charts to grow with a later page, still before complete',
      30_000,
    );
    await waitForOutcome(page);
    expect(await page.getAttribute('[data-testid=monthly-chart]', 'data-points')).not.toBe('0');
    await page.context().close();
  }, 90_000);

  it('seeks the replay to an event: exactly the rows of the events up to it, then plays on from there', async () => {
    const auditor = await tokenFor(api.dataDir, 'carol', 'auditor');
    const events = await waitUntil(
      async () => {
        const stored = await storedEvents(api.url, slowId, auditor);
        return stored.at(-1)?.type === 'InvestigationCompleted' ? stored : undefined;
      },
      'the investigation to complete',
      60_000,
    );
    const anomaliesThrough = (through: number): string[] =>
      events
        .filter((e) => e.type === 'AnomalyDetected' && e.id <= through)
        .map((e) => String(e.data.anomaly?.anomaly_id))
        .sort();
    const middle = Math.floor(events.length / 2);
    expect(anomaliesThrough(middle).length).toBeGreaterThan(0);
    expect(anomaliesThrough(middle).length).toBeLessThan(anomaliesThrough(events.length).length);
    const page = await openPage(browser, `${api.url}/#/replay/${slowId}`, { token: auditor });
    await page.check('input[name=speed][value="1"]');
    const scrubber = page.locator('[data-testid=replay-scrubber]:not([disabled])');
    // Dragged near, then one step with the keyboard.
    await scrubber.fill(String(middle - 1));
    await scrubber.focus();
    await page.keyboard.press('ArrowRight');
    const { through, rows } = await waitForExpression<{ through: number; rows: string[] }>(
      page,
      rowsOnceThrough(middle),
      `the replay through event ${middle}`,
    );
    expect(through).toBeLessThan(events.length);
    expect([...rows].sort()).toEqual(anomaliesThrough(through));
    await screenshot(page, 'replay-seek');
    await page.waitForSelector('[data-testid=replay-done]', { timeout: 60_000 });
    const all = await shownAnomalyIds(page);
    expect([...all].sort()).toEqual(anomaliesThrough(events.length));
    expect(await page.textContent('[data-testid=replay-count]')).toContain(
      `${events.length} de ${events.length} eventos`,
    );
    await page.context().close();
  }, 120_000);

  it('retries a failed first page of the list, saying so, then pages older rows with the cursor', async () => {
    const auditor = await tokenFor(api.dataDir, 'carol', 'auditor');
    // More than a page whatever ran before, each stopped at once: every row ends before the page
    // opens, so no row changes while it is open and what it shows is the pages it read.
    const before = (await listed(auditor)).length;
    for (let i = 0; i < 51; i++) {
      const id = await start({ query: `Contratos ${i}`, filters: { min_value: 1e15 } });
      const cancelled = await fetch(`${api.url}/api/v1/investigations/${id}/cancel`, { method: 'POST' });
      expect(cancelled.status).toBe(202);
    }
    const all = await waitUntil(
      async () => {
        const rows = await listedRows(auditor);
        const ended = rows.every((row) => row.status !== 'queued' && row.status !== 'running');
        return rows.length >= before + 51 && ended ? rows.map((row) => row.investigation_id) : undefined;
      },
      'every investigation in the list read model, ended',
      60_000,
      // Each look reads every page: well under the user's 300 requests a minute.
      500,
    );
    const page = await openPage(browser, 'about:blank', { token: auditor });
    let requests = 0;
    // The network drops the list's first two requests: the page says so and tries again.
    await page.route(
      (url) => url.pathname === '/api/v1/investigations',
      (route) => (requests++ < 2 ? route.abort('connectionrefused') : route.continue()),
    );
    // The caller's roles come once the list is shown, as after a slow sign-in.
    let rolesMayCome = (): void => undefined;
    const listShown = new Promise<void>((resolve) => (rolesMayCome = resolve));
    await page.route(
      (url) => url.pathname === '/api/v1/auth/me',
      async (route) => {
        await listShown;
        await route.continue();
      },
    );
    await page.goto(`${api.url}/`);
    // Read while it says so: the next attempt replaces the notice at any moment.
    const notice = await waitForExpression<string>(
      page,
      "document.querySelector('[data-testid=list-status].error')?.textContent || false",
      'the list retry notice',
    );
    expect(notice).toMatch(/A lista não pôde ser lida \(tentativa [12]: /);
    await screenshot(page, 'list-retry');
    await page.waitForSelector('[data-testid=investigations]', { timeout: 30_000 });
    rolesMayCome();
    await waitForExpression(
      page,
      "document.querySelector('.help')?.textContent?.startsWith('Todas as investigações')",
      'the auditor’s help text',
    );
    expect(await rowIds(page)).toHaveLength(50);
    await page.click('[data-testid=load-more]');
    await page.waitForSelector('[data-testid=load-more]', { state: 'detached' });
    // Two refused, the first page, the older one: the list was opened once, not again when the
    // auditor's roles arrived (the server, not the roles, decides whose rows come).
    expect(requests).toBe(4);
    const ids = await rowIds(page);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...all].sort());
    await screenshot(page, 'list-paged');
    await page.context().close();
  }, 180_000);
});
