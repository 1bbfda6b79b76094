import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium; CI installs it with apt when missing. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where screenshots go: test artefacts, not committed. */
export const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'web');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}

/**
 * Starts something (a server, a process) while the browser launches; if either fails, the
 * other is stopped before the failure is thrown, so a test whose setup fails leaves nothing
 * running.
 */
export async function launchBrowserBeside<T>(
  starting: Promise<T>,
  stop: (started: T) => Promise<void>,
): Promise<[T, Browser]> {
  const [started, browser] = await Promise.allSettled([starting, launchBrowser()]);
  if (started.status === 'fulfilled' && browser.status === 'fulfilled') return [started.value, browser.value];
  if (started.status === 'fulfilled') await stop(started.value);
  if (browser.status === 'fulfilled') await browser.value.close();
  throw started.status === 'rejected' ? started.reason : (browser as PromiseRejectedResult).reason;
}

export async function openPage(
  browser: Browser,
  url: string,
  options: { token?: string; width?: number } = {},
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: 900 },
    locale: 'pt-BR',
    timezoneId: 'America/Sao_Paulo',
  });
  const page = await context.newPage();
  if (options.token) {
    // Runs in the page, where sessionStorage is the dashboard's.
    await page.addInitScript(`sessionStorage.setItem('cidadao.token', ${JSON.stringify(options.token)})`);
  }
  await page.goto(url);
  return page;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
