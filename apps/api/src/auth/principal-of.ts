import type { Request } from 'express';
import type { Principal } from '#platform';

type WithPrincipal = Request & { user?: Principal };

/** Where no guard ran, a caller with no roles: nothing is granted by accident. */
const NOBODY: Principal = Object.freeze({ id: 'anonymous', roles: [] });

export function setPrincipal(req: Request, principal: Principal): void {
  (req as WithPrincipal).user = principal;
}

export const principalOf = (req: Request): Principal => (req as WithPrincipal).user ?? NOBODY;
