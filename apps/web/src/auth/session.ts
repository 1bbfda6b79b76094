import type { CurrentCaller } from '@cidadao-ai/client';
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
}

/** What the server tells the page about signing in (GET /web-config.json). */
export interface WebConfig {
  readonly auth_required: boolean;
  readonly oidc: { readonly issuer: string; readonly client_id: string; readonly scope: string } | null;
}

const KEY = 'cidadao.token';
const unknownCaller = (token: string | null): Session => ({ token, caller: null, refused: null });

export const session = createStore<Session>(unknownCaller(sessionStorage.getItem(KEY)));
export const webConfig = createStore<WebConfig>({ auth_required: false, oidc: null });

export function signIn(token: string): void {
  sessionStorage.setItem(KEY, token);
  session.set(unknownCaller(token));
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
  session.set(unknownCaller(null));
}

/** The server's answer for the token still in use (a sign-out or a new token meanwhile wins). */
export function settleCaller(token: string | null, answer: { caller: CurrentCaller } | { refused: string }): void {
  if (session.get().token !== token) return;
  if ('refused' in answer) {
    sessionStorage.removeItem(KEY);
    session.set({ token: null, caller: null, refused: answer.refused });
  } else session.set({ token, caller: answer.caller, refused: null });
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
