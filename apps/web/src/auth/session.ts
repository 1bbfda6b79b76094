import { createStore } from '../ui/store';

export type Role = 'viewer' | 'analyst' | 'auditor' | 'admin';
const ROLES: readonly Role[] = ['viewer', 'analyst', 'auditor', 'admin'];

/** Who the dashboard acts as: a pasted or OIDC token, or nobody (the local anonymous analyst of embedded mode). */
export interface Session {
  readonly token: string | null;
  readonly user: string | null;
  readonly roles: readonly Role[];
}

/** What the server tells the page about signing in (GET /web-config.json). */
export interface WebConfig {
  readonly auth_required: boolean;
  readonly oidc: { readonly issuer: string; readonly client_id: string; readonly scope: string } | null;
}

const KEY = 'cidadao.token';
const ANONYMOUS: Session = { token: null, user: null, roles: ['analyst'] };

function claimsOf(token: string): Record<string, unknown> | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const padded = payload
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(payload.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Roles as the server reads them: `roles`, `role` or Keycloak's `realm_access.roles`. */
export function rolesOf(claims: Record<string, unknown>): Role[] {
  const realm = claims.realm_access as { roles?: unknown } | undefined;
  const raw = [claims.roles, claims.role, realm?.roles].flat().filter((r): r is string => typeof r === 'string');
  return ROLES.filter((role) => raw.includes(role));
}

export function sessionOf(token: string | null): Session {
  if (!token) return ANONYMOUS;
  const claims = claimsOf(token);
  if (!claims) return { token, user: null, roles: [] };
  return { token, user: typeof claims.sub === 'string' ? claims.sub : null, roles: rolesOf(claims) };
}

export const session = createStore<Session>(sessionOf(sessionStorage.getItem(KEY)));
export const webConfig = createStore<WebConfig>({ auth_required: false, oidc: null });

export function signIn(token: string): void {
  sessionStorage.setItem(KEY, token);
  session.set(sessionOf(token));
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
  session.set(ANONYMOUS);
}

const GRANTS: Record<Role, readonly string[]> = {
  viewer: ['watch'],
  analyst: ['start', 'cancel', 'watch'],
  auditor: ['watch-any', 'watch', 'audit'],
  admin: ['start', 'cancel', 'watch', 'watch-any', 'audit'],
};

/** What the UI offers; the server decides for real, this only hides what would be refused. */
export function can(current: Session, action: 'start' | 'cancel' | 'watch-any' | 'audit'): boolean {
  return current.roles.some((role) => GRANTS[role].includes(action));
}

export async function loadWebConfig(): Promise<void> {
  try {
    const response = await fetch('/web-config.json', { headers: { Accept: 'application/json' } });
    if (response.ok) webConfig.set((await response.json()) as WebConfig);
  } catch {
    // No config (vite dev without the API): defaults apply.
  }
}
