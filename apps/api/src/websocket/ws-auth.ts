import { AuthError, AuthUnavailableError, hasPermission, type Authenticator, type Principal } from '#platform';
import { ApiError } from '../http/api-error.js';
import type { WsRoute } from './ws-routes.js';

export type Admission =
  { readonly ok: true; readonly principal: Principal } | { readonly ok: false; readonly error: ApiError };

/**
 * Who is connecting: every endpoint needs a caller, as its HTTP routes do (the local
 * anonymous analyst where no token is required; a chat session must have an owner). Failures
 * become ApiErrors so that every transport reports them the same way (close 1008, connect_error).
 */
export async function admit(
  authenticator: Authenticator,
  route: WsRoute['kind'],
  token: string | undefined,
): Promise<Admission> {
  try {
    const principal = await authenticator.authenticate(token);
    if (route === 'investigations' && !hasPermission(principal, 'investigation:watch')) {
      const roles = principal.roles.length > 0 ? principal.roles.join(', ') : 'no role';
      return { ok: false, error: new ApiError(403, 'FORBIDDEN', `investigation:watch is not granted to ${roles}`) };
    }
    return { ok: true, principal };
  } catch (error) {
    if (error instanceof AuthError) return { ok: false, error: new ApiError(401, error.code, error.message) };
    if (error instanceof AuthUnavailableError)
      return { ok: false, error: new ApiError(503, 'AUTH_UNAVAILABLE', error.message, undefined, 5) };
    throw error;
  }
}
