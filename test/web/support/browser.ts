import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { waitUntil } from '../../support/wait-until.js';

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
  // Whatever the page's Content-Security-Policy refused, for expectNoPolicyViolations.
  await page.addInitScript(`
    window.__policyViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__policyViolations.push(e.violatedDirective + ' ' + e.blockedURI));
  `);
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

/** What the page's Content-Security-Policy refused since it loaded: nothing, for the dashboard to work. */
export function policyViolations(page: Page): Promise<string[]> {
  return page.evaluate<string[]>('window.__policyViolations');
}

/**
 * The value of `expression` in the page once it is truthy, read in one evaluation. The
 * page's Content-Security-Policy forbids eval, which page.waitForFunction compiles a string
 * with; page.evaluate runs one through the DevTools protocol.
 */
export function waitForExpression<T>(page: Page, expression: string, what: string, timeoutMs = 30_000): Promise<T> {
  return waitUntil(async () => (await page.evaluate<T | false | null>(expression)) || undefined, what, timeoutMs);
}
