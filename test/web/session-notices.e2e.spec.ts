import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { startApiProcess, type ApiProcess } from '../support/api-process.js';
import { waitUntil } from '../support/wait-until.js';
import { launchBrowserBeside, openPage, screenshot } from './support/browser.js';
import { tokenFor } from './support/dashboard.js';
import { startFailingProxy } from './support/failing-proxy.js';

/**
 * What the dashboard says about its session: a token about to expire, expired, then refused
 * by the server; and a GET /api/v1/auth/me that goes unanswered, with a retry.
 */
let api: ApiProcess;
let browser: Browser;

beforeAll(async () => {
  // A short clock tolerance: the server refuses the expired token seconds after it expires, not 30.
  [api, browser] = await launchBrowserBeside(startApiProcess({ JWT_CLOCK_TOLERANCE_SECONDS: '2' }), (started) =>
    started.dispose(),
  );
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await api?.dispose();
});

const meStatus = async (token: string): Promise<number> =>
  (await fetch(`${api.url}/api/v1/auth/me`, { headers: { Authorization: `Bearer ${token}` } })).status;

describe('the session notices of the dashboard', () => {
  it('warns before the token expires, says when it has, and turns a refused stream into that notice', async () => {
    const token = await tokenFor(api.dataDir, 'ana', 'analyst', 20);
    const page = await openPage(browser, `${api.url}/`, { token });
    await page.waitForSelector('[data-testid=signed-in-as]:has-text("analyst")');
    const expiring = await page.waitForSelector('[data-testid=token-expiry][data-state=expiring]');
    expect(await expiring.textContent()).toContain('Sua sessão expira às');
    expect(await page.getAttribute('[data-testid=token-expiry] a', 'href')).toBe('#/entrar');
    await screenshot(page, 'token-expiring');

    const expired = await page.waitForSelector('[data-testid=token-expiry][data-state=expired]', { timeout: 60_000 });
    expect(await expired.textContent()).toContain('Sua sessão expirou');
    expect(await expired.getAttribute('role')).toBe('alert');

    // Past the server's clock tolerance the token is refused; a stream opened then says so on the page.
    await waitUntil(
      async () => ((await meStatus(token)) === 401 ? true : undefined),
      'the server refuses the token',
      60_000,
    );
    await page.evaluate("location.hash = '#/investigacoes/inv-sem-acesso'");
    const refused = await page.waitForSelector('[data-testid=token-expiry][data-state=refused]', { timeout: 30_000 });
    expect(await refused.textContent()).toContain('O servidor recusou o seu token');
    await screenshot(page, 'token-refused');
    await page.context().close();
  }, 150_000);

  it('says GET /auth/me went unanswered, offers nothing meanwhile, and a retry gets the roles', async () => {
    const proxy = await startFailingProxy(api.url, '/api/v1/auth/me');
    try {
      const token = await tokenFor(api.dataDir, 'ana', 'analyst');
      const page = await openPage(browser, `${proxy.url}/`, { token });
      const failed = await page.waitForSelector('[data-testid=whoami-failed]');
      expect(await failed.textContent()).toContain('503');
      expect(await failed.getAttribute('role')).toBe('alert');
      expect(await page.textContent('[data-testid=signed-in-as]')).toContain('…');
      expect(await page.$('[data-testid=start-form]')).toBeNull();
      expect(await page.$('[data-testid=viewer-note]')).toBeNull();
      await screenshot(page, 'whoami-failed');

      await page.click('[data-testid=whoami-failed] button');
      await waitUntil(async () => (proxy.failures() >= 2 ? true : undefined), 'the retry reached the proxy', 30_000);
      expect(await page.$('[data-testid=whoami-failed]')).not.toBeNull();

      proxy.passThrough();
      await page.click('[data-testid=whoami-failed] button');
      await page.waitForSelector('[data-testid=signed-in-as]:has-text("analyst")');
      await page.waitForSelector('[data-testid=start-form]');
      expect(await page.$('[data-testid=whoami-failed]')).toBeNull();
      await page.context().close();
    } finally {
      await proxy.close();
    }
  }, 90_000);
});
