import { CidadaoClient } from '@cidadao-ai/client';
import { session } from './auth/session';

let current: { token: string | null; client: CidadaoClient } | null = null;

/** The client of the page, for the signed-in token: every request and stream goes through it. */
export function api(): CidadaoClient {
  const token = session.get().token;
  if (current?.token !== token) {
    current = { token, client: new CidadaoClient({ baseUrl: location.origin, ...(token ? { token } : {}) }) };
  }
  return current.client;
}

/** Headers for the few calls the client package has no method for. */
export function authHeaders(): Record<string, string> {
  const token = session.get().token;
  return token ? { Authorization: `Bearer ${token}` } : {};
}
