import { expiryOf, type CurrentCaller } from '@cidadao-ai/client';
import { createStore } from '../ui/store';

/**
 * Who the dashboard acts as: a pasted or OIDC token (or none), and who the server takes it
 * for (GET /api/v1/auth/me). Until the server answers, the page offers nothing.
 */
export interface Session {
  readonly token: string | null;
  /** The server's answer; null while asking, or when it refused the token. */
  readonly caller: CurrentCaller | null;
  /** Why the server refused the token, when it did. */
  readonly refused: string | null;
  /** When the token stops being accepted (ms since the epoch): the OIDC answer's expiry, else the JWT's `exp`. */
  readonly expiresAt: number | null;
  /** The server answered 401 to this token, after the page started using it. */
  readonly rejected: boolean;
  /** Why GET /api/v1/auth/me went unanswered (network, 5xx): the roles are unknown, not none. */
  readonly unanswered: string | null;
}

/** What the server tells the page about signing in (GET /web-config.json). */
export interface WebConfig {
  readonly auth_required: boolean;
  readonly oidc: { readonly issuer: string; readonly client_id: string; readonly scope: string } | null;
}

const KEY = 'cidadao.token';
/** The expiry the OIDC provider gave with the token (ms since the epoch), when it gave one. */
const EXPIRY_KEY = 'cidadao.token.expires_at';

function unknownCaller(token: string | null, expiresAt: number | null = null): Session {
  const exp = token === null ? null : expiryOf(token);
  return {
    token,
    caller: null,
    refused: null,
    expiresAt: token === null ? null : (expiresAt ?? (exp === null ? null : exp * 1000)),
    rejected: false,
    unanswered: null,
  };
}

function forget(): void {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(EXPIRY_KEY);
}

const storedExpiry = Number(sessionStorage.getItem(EXPIRY_KEY) ?? Number.NaN);
export const session = createStore<Session>(
  unknownCaller(sessionStorage.getItem(KEY), Number.isFinite(storedExpiry) ? storedExpiry : null),
);
export const webConfig = createStore<WebConfig>({ auth_required: false, oidc: null });

/** A new token; `expiresAt` when its issuer said (OIDC `expires_in`), else its JWT `exp` is read. */
export function signIn(token: string, expiresAt: number | null = null): void {
  forget();
  sessionStorage.setItem(KEY, token);
  if (expiresAt !== null) sessionStorage.setItem(EXPIRY_KEY, String(expiresAt));
  session.set(unknownCaller(token, expiresAt));
}

export function signOut(): void {
  forget();
  session.set(unknownCaller(null));
}

type Answer = { caller: CurrentCaller } | { refused: string } | { unanswered: string };

/** The server's answer for the token still in use (a sign-out or a new token meanwhile wins). */
export function settleCaller(token: string | null, answer: Answer): void {
  const current = session.get();
  if (current.token !== token) return;
  if ('refused' in answer) {
    forget();
    session.set({ ...unknownCaller(null), refused: answer.refused });
  } else if ('unanswered' in answer) session.set({ ...current, caller: null, unanswered: answer.unanswered });
  else session.set({ ...current, caller: answer.caller, refused: null, unanswered: null });
}

/** The server answered 401 to `token` (a call, a stream, a socket closed with 1008): the page says so. */
export function tokenRefused(token: string): void {
  const current = session.get();
  if (current.token === token && !current.rejected) session.set({ ...current, rejected: true });
}

type Action = 'start' | 'cancel' | 'watch-any' | 'audit';

/** What the UI offers, from the permissions the server says the caller holds; the server still decides each request. */
export function can(current: Session, action: Action): boolean {
  const granted = current.caller?.permissions ?? {};
  switch (action) {
    case 'start':
      return granted['investigation:start'] !== undefined;
    case 'cancel':
      return granted['investigation:cancel'] !== undefined;
    case 'watch-any':
      return granted['investigation:watch'] === 'any';
    case 'audit':
      return granted['audit:export'] !== undefined;
  }
}

export async function loadWebConfig(): Promise<void> {
  try {
    const response = await fetch('/web-config.json', { headers: { Accept: 'application/json' } });
    if (response.ok) webConfig.set((await response.json()) as WebConfig);
  } catch {
    // No config (vite dev without the API): defaults apply.
  }
}
