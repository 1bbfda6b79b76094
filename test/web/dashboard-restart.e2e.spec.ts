import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startNode, type RunningProcess } from '../support/node-process.js';
import { launchBrowser, openPage, screenshot } from './support/browser.js';
import { shownAnomalyIds, startFromForm, storedAnomalyIds, waitForOutcome, waitForText } from './support/dashboard.js';

const dataDir = mkdtempSync(join(tmpdir(), 'web-restart-'));
const env = {
  DATA_DIR: dataDir,
  HOST: '127.0.0.1',
  LOG_LEVEL: 'info',
  METRICS_PORT: '0',
  SYNTHETIC_CONTRACTS: '2000',
  INVESTIGATION_PAGE_SIZE: '100',
  INVESTIGATION_STEP_DELAY_MS: '150',
};
const processes: RunningProcess[] = [];
let browser: Browser;

/** The API as `npm start` runs it, on `port` (0: any) and always the same data directory. */
async function startApi(port: number): Promise<string> {
  const api = startNode('dist/apps/api/src/main.js', { ...env, PORT: String(port) });
  processes.push(api);
  const { url } = await api.waitForLog((l) => l.msg === 'api listening');
  return String(url).replace('localhost', '127.0.0.1');
}

beforeAll(async () => {
  browser = await launchBrowser();
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(processes.map((p) => p.stop('SIGKILL')));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the dashboard across a server killed mid-investigation and restarted', () => {
  it('says it resumed, and ends with exactly the anomaly rows of the stream, none twice', async () => {
    const url = await startApi(0);
    const port = Number(new URL(url).port);
    const page = await openPage(browser, `${url}/`);
    const id = await startFromForm(page, 'Contratos de 2024');
    await page.click('[data-testid=open-investigation]');
    await waitForText(page, '[data-testid=records]', /[1-9]\d* registros/, 'some records processed');
    expect(await page.$('.outcome')).toBeNull();

    await processes[0]!.stop('SIGKILL');
    await waitForText(page, '[data-testid=connection]', /Reconectando/, 'the page to say it is reconnecting');
    await screenshot(page, 'restart-reconnecting');

    await startApi(port);
    await waitForText(
      page,
      '[data-testid=connection]',
      /retomado a partir do evento \d+/,
      'the page to say it resumed',
    );
    await screenshot(page, 'restart-resumed');
    await waitForOutcome(page, 90_000);

    const expected = await storedAnomalyIds(url, id);
    const shown = await shownAnomalyIds(page);
    expect(new Set(shown).size).toBe(shown.length);
    expect([...shown].sort()).toEqual([...expected].sort());
    expect(await page.textContent('[data-testid=connection]')).toMatch(/retomado a partir do evento \d+/);
    await screenshot(page, 'restart-completed');
  }, 180_000);
});
