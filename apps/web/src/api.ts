import { CidadaoClient, TokenSource, type GetToken } from '@cidadao-ai/client';
import { session, tokenRefused } from './auth/session';

let current: { token: string | null; client: CidadaoClient } | null = null;

/** The page's token as the client asks for it: a refusal (401, a socket closed with 1008) is told to the session. */
function pageToken(token: string | null): GetToken | undefined {
  if (token === null) return undefined;
  return ({ reason }) => {
    if (reason === 'rejected') tokenRefused(token);
    return token;
  };
}

/** The client of the page, for the signed-in token: every request and stream goes through it. */
export function api(): CidadaoClient {
  const token = session.get().token;
  if (current?.token !== token) {
    const getToken = pageToken(token);
    current = { token, client: new CidadaoClient({ baseUrl: location.origin, ...(getToken ? { getToken } : {}) }) };
  }
  return current.client;
}

/** The signed-in token for a stream the client package has no method for. */
export function pageTokens(): TokenSource {
  return new TokenSource(pageToken(session.get().token));
}

/** One call the client package has no method for, with the signed-in token; a 401 is told to the session. */
export async function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const token = session.get().token;
  const response = await fetch(path, {
    ...init,
    headers: {
      ...(init.headers as Record<string, string> | undefined),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
  });
  if (response.status === 401 && token !== null) tokenRefused(token);
  return response;
}
