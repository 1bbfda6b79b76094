import type { Request } from 'express';
import { NOBODY, type Principal } from '#platform';

type WithPrincipal = Request & { user?: Principal };

export function setPrincipal(req: Request, principal: Principal): void {
  (req as WithPrincipal).user = principal;
}

export const principalOf = (req: Request): Principal => (req as WithPrincipal).user ?? NOBODY;
