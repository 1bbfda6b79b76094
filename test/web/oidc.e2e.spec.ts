import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { startApiProcess, type ApiProcess } from '../support/api-process.js';
import { launchBrowserBeside, openPage, policyViolations, screenshot } from './support/browser.js';
import { startOidcProvider, type OidcProvider } from './support/oidc-provider.js';

/**
 * Signing in to the dashboard through a real OpenID provider (authorization code + PKCE),
 * whose access tokens name the provider's own groups: what the page offers follows from the
 * server's reading of them (JWT_ROLES_CLAIM, JWT_ROLE_MAP), never from the page's.
 */
const AUDIENCE = 'https://api.cidadao.test';
const CLIENT_ID = 'painel';

let provider: OidcProvider;
let api: ApiProcess;
let browser: Browser;

beforeAll(async () => {
  [provider, browser] = await launchBrowserBeside(
    startOidcProvider({
      audience: AUDIENCE,
      resourceScope: 'investigacoes',
      groups: { vera: ['leitores'], ana: ['equipe-analise'] },
    }),
    (started) => started.stop(),
  );
  api = await startApiProcess({
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: CLIENT_ID,
    OIDC_SCOPE: 'openid profile investigacoes',
    JWT_JWKS_URL: provider.jwksUri,
    JWT_ISSUER: provider.issuer,
    JWT_AUDIENCE: AUDIENCE,
    JWT_ROLES_CLAIM: 'groups',
    JWT_ROLE_MAP: 'leitores:viewer,equipe-analise:analyst',
  });
  provider.serve({ clientId: CLIENT_ID, redirectUri: `${api.url}/` });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await api?.dispose();
  await provider?.stop();
});

interface SignedIn {
  readonly page: Page;
  /** The Authorization header of the page's own call to GET /api/v1/auth/me. */
  readonly authorization: string;
  readonly claims: Record<string, unknown>;
}

/** From the dashboard to the provider's login and consent pages, and back signed in. */
async function signInThroughProvider(login: string): Promise<SignedIn> {
  const page = await openPage(browser, `${api.url}/`);
  await page.click('text=Entrar com o provedor de identidade');
  await page.waitForURL((url) => url.origin === provider.issuer);
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'qualquer');
  await page.click('button[type=submit]');
  await page.waitForSelector('button:has-text("Continue")');
  const asked = page.waitForRequest(
    (request) => request.url() === `${api.url}/api/v1/auth/me` && request.headers().authorization !== undefined,
  );
  await page.click('button:has-text("Continue")');
  const authorization = (await asked).headers().authorization ?? '';
  await page.waitForSelector('[data-testid=signed-in-as]');
  const token = authorization.replace(/^Bearer /, '');
  const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
  return { page, authorization, claims };
}

describe('OIDC sign-in on the dashboard', () => {
  it('lands a viewer back signed in, her calls carrying the provider token, with no start button', async () => {
    const { page, authorization, claims } = await signInThroughProvider('vera');
    expect(authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(claims).toMatchObject({ iss: provider.issuer, aud: AUDIENCE, sub: 'vera', groups: ['leitores'] });
    const stored = await page.evaluate<string | null>("sessionStorage.getItem('cidadao.token')");
    expect(authorization).toBe(`Bearer ${stored}`);
    await page.waitForSelector('[data-testid=signed-in-as]:has-text("viewer")');
    await page.waitForSelector('[data-testid=viewer-note]');
    expect(await page.$('[data-testid=start-form]')).toBeNull();
    expect(new URL(page.url()).search).toBe('');
    const expiresAt = Number(await page.evaluate<string | null>("sessionStorage.getItem('cidadao.token.expires_at')"));
    expect(Math.abs(expiresAt - Number(claims.exp) * 1000)).toBeLessThan(5_000);
    expect(await page.$('[data-testid=token-expiry]')).toBeNull();
    // Discovery and the token endpoint were within the page's connect-src.
    expect(await policyViolations(page)).toEqual([]);
    const me = await fetch(`${api.url}/api/v1/auth/me`, { headers: { Authorization: authorization } });
    expect(await me.json()).toMatchObject({
      user_id: 'vera',
      anonymous: false,
      roles: ['viewer'],
      permissions: { 'investigation:watch': 'own' },
    });
    await screenshot(page, 'oidc-viewer');
    await page.context().close();
  }, 60_000);

  it('shows an analyst, mapped from another provider group, the start form', async () => {
    const { page, claims } = await signInThroughProvider('ana');
    expect(claims).toMatchObject({ sub: 'ana', groups: ['equipe-analise'] });
    await page.waitForSelector('[data-testid=signed-in-as]:has-text("analyst")');
    await page.waitForSelector('[data-testid=start-form]');
    expect(await page.$('[data-testid=viewer-note]')).toBeNull();
    await screenshot(page, 'oidc-analyst');
    await page.context().close();
  }, 60_000);

  it('offers the provider again before the token expires, and lands back on the same screen with a new token', async () => {
    const { page, authorization } = await signInThroughProvider('ana');
    // The provider's answer as if it had given a token with a minute left.
    await page.evaluate(`sessionStorage.setItem('cidadao.token.expires_at', '${Date.now() + 60_000}')`);
    await page.evaluate("location.hash = '#/conversar'");
    await page.reload();
    const notice = await page.waitForSelector('[data-testid=token-expiry][data-state=expiring]');
    const renewed = page.waitForRequest(
      (request) =>
        request.url() === `${api.url}/api/v1/auth/me` &&
        request.headers().authorization !== undefined &&
        request.headers().authorization !== authorization,
      { timeout: 30_000 },
    );
    await (await notice.$('button'))?.click();
    await page.waitForURL((url) => url.origin === provider.issuer || url.origin === api.url);
    for (;;) {
      if (new URL(page.url()).origin === api.url && new URL(page.url()).search === '') break;
      const step = await page.waitForSelector(
        'input[name=login], button:has-text("Continue"), [data-testid=signed-in-as]',
      );
      if ((await step.getAttribute('name')) === 'login') {
        await page.fill('input[name=login]', 'ana');
        await page.fill('input[name=password]', 'qualquer');
        await page.click('button[type=submit]');
      } else if ((await step.getAttribute('data-testid')) !== 'signed-in-as') await step.click();
      await page.waitForLoadState();
    }
    await renewed;
    await page.waitForSelector('[data-testid=signed-in-as]:has-text("analyst")');
    expect(new URL(page.url()).hash).toBe('#/conversar');
    expect(await page.$('[data-testid=token-expiry]')).toBeNull();
    const expiresAt = Number(await page.evaluate<string | null>("sessionStorage.getItem('cidadao.token.expires_at')"));
    expect(expiresAt).toBeGreaterThan(Date.now() + 300_000);
    await page.context().close();
  }, 90_000);
});
