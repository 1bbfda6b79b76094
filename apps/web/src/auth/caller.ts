import { CidadaoApiError } from '@cidadao-ai/client';
import { api } from '../api';
import { session, settleCaller, signIn, webConfig } from './session';

/** Asks the server who the current token (or no token) stands for, and keeps its answer. */
export async function askWhoAmI(): Promise<void> {
  const { token } = session.get();
  if (token === null && webConfig.get().auth_required) return;
  try {
    settleCaller(token, { caller: await api().me() });
  } catch (error) {
    if (error instanceof CidadaoApiError && error.status === 401) settleCaller(token, { refused: error.message });
    else settleCaller(token, { unanswered: error instanceof Error ? error.message : String(error) });
  }
}

/** A pasted or OIDC token (with the expiry its issuer gave, if any): kept, then shown only as the server reads it. */
export function signInWith(token: string, expiresAt: number | null = null): Promise<void> {
  signIn(token, expiresAt);
  return askWhoAmI();
}
