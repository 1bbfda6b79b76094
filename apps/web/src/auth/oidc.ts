import { signInWith } from './caller';
import { webConfig } from './session';

const PENDING_KEY = 'cidadao.oidc';

interface Discovery {
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
}

function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function randomText(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

async function discover(issuer: string): Promise<Discovery> {
  const response = await fetch(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`OIDC discovery answered ${response.status}`);
  return (await response.json()) as Discovery;
}

/** When the provider's token expires (ms since the epoch): `expires_at` (seconds), else now + `expires_in`. */
function expiryOfAnswer(tokens: { expires_in?: number; expires_at?: number }, now: number): number | null {
  if (typeof tokens.expires_at === 'number') return tokens.expires_at * 1000;
  if (typeof tokens.expires_in === 'number') return now + tokens.expires_in * 1000;
  return null;
}

const redirectUri = (): string => `${location.origin}/`;

/** Authorization code + PKCE (S256): off to the provider, back to `/` with `code` and `state`. */
export async function startOidcSignIn(): Promise<void> {
  const oidc = webConfig.get().oidc;
  if (!oidc) return;
  const { authorization_endpoint } = await discover(oidc.issuer);
  const verifier = randomText();
  const state = randomText();
  const challenge = base64Url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, back: location.hash }));
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: oidc.client_id,
    redirect_uri: redirectUri(),
    scope: oidc.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  location.assign(`${authorization_endpoint}?${params}`);
}

/** Back from the provider: trades the code for a token (with the verifier only this tab holds). */
export async function completeOidcSignIn(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const pendingText = sessionStorage.getItem(PENDING_KEY);
  const oidc = webConfig.get().oidc;
  if (!code || !pendingText || !oidc) return;
  sessionStorage.removeItem(PENDING_KEY);
  const pending = JSON.parse(pendingText) as { verifier: string; state: string; back: string };
  history.replaceState(null, '', `/${pending.back}`);
  if (params.get('state') !== pending.state) return;
  const { token_endpoint } = await discover(oidc.issuer);
  const response = await fetch(token_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri(),
      client_id: oidc.client_id,
      code_verifier: pending.verifier,
    }),
  });
  if (!response.ok) return;
  const tokens = (await response.json()) as { access_token?: string; expires_in?: number; expires_at?: number };
  if (tokens.access_token) await signInWith(tokens.access_token, expiryOfAnswer(tokens, Date.now()));
}
