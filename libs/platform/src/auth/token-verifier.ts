import type { Principal } from './principal.js';

/** Verifies a bearer token; throws AuthError (401) or AuthUnavailableError (503). */
export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}
