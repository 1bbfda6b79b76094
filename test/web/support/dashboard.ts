import type { Page } from 'playwright-core';
import { loadSections, signingSecret, signToken, type Role } from '#platform';
import { waitUntil } from '../../support/wait-until.js';

/** A token the API running on `dataDir` accepts (its development secret, as `npm run token` signs). */
export async function tokenFor(dataDir: string, subject: string, role: Role, ttlSeconds = 600): Promise<string> {
  const secret = signingSecret(loadSections({ DATA_DIR: dataDir }));
  if (!secret) throw new Error('no signing secret');
  return signToken({ secret: secret.secret, subject, roles: [role], ttlSeconds });
}

interface StoredEvent {
  readonly id: number;
  readonly type: string;
  readonly data: { readonly anomaly?: { readonly anomaly_id?: string } };
  readonly metadata: { readonly occurredAt: string };
}

/** GET /api/v1/investigations/{id}/events: what the store holds, the reference the page is checked against. */
export async function storedEvents(url: string, id: string, token?: string): Promise<StoredEvent[]> {
  const response = await fetch(`${url}/api/v1/investigations/${id}/events`, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  if (!response.ok) throw new Error(`events answered ${response.status}`);
  return ((await response.json()) as { events: StoredEvent[] }).events;
}

/** The anomaly ids of the stored stream, in order. */
export async function storedAnomalyIds(url: string, id: string, token?: string): Promise<string[]> {
  const events = await storedEvents(url, id, token);
  return events.filter((e) => e.type === 'AnomalyDetected').map((e) => String(e.data.anomaly?.anomaly_id));
}

/** The anomaly rows the page shows, in table order. */
export function shownAnomalyIds(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid=anomalies] tbody tr[data-anomaly-id]', (rows) =>
    rows.map((row) => row.getAttribute('data-anomaly-id') ?? ''),
  );
}

/** Fills and sends the start form; resolves with the investigation id once the planner's filters show. */
export async function startFromForm(page: Page, query: string, dataSource = 'synthetic'): Promise<string> {
  await page.fill('#query', query);
  await page.selectOption('#data_source', dataSource);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=plan-filters]', { timeout: 30_000 });
  const link = await page.getAttribute('[data-testid=open-investigation]', 'href');
  return decodeURIComponent(String(link).split('/').pop() ?? '');
}

export function waitForOutcome(page: Page, timeoutMs = 60_000): Promise<void> {
  return page.waitForSelector('.outcome', { timeout: timeoutMs }).then(() => undefined);
}

export async function waitForText(page: Page, selector: string, pattern: RegExp, what: string): Promise<string> {
  return waitUntil(
    async () => {
      const text = (await page.textContent(selector).catch(() => null)) ?? '';
      return pattern.test(text) ? text : undefined;
    },
    what,
    60_000,
  );
}
