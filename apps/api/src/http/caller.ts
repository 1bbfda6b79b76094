import type { Request } from 'express';
import { newId } from '#platform';
import type { Caller } from '../investigations/investigations.service.js';

/** Who is calling and under which correlation id (X-Correlation-ID, X-Request-ID, or a new one). */
export function callerOf(req: Request): Caller {
  const header = req.header('x-correlation-id') ?? req.header('x-request-id');
  const correlationId = header && /^[A-Za-z0-9_.:-]{1,128}$/.test(header) ? header : newId();
  const user = (req as Request & { user?: { id: string } }).user;
  return { userId: user?.id ?? 'anonymous', correlationId };
}
