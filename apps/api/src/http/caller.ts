import type { Request } from 'express';
import { principalOf } from '../auth/principal-of.js';
import type { Caller } from '../investigations/investigations.service.js';
import { requestIdsOf } from './request-ids.js';

/**
 * Who is calling and under which correlation id: the one the request log line and the
 * X-Correlation-ID response header show (X-Correlation-ID, else X-Request-ID, else new).
 */
export function callerOf(req: Request): Caller {
  const { correlationId } = requestIdsOf(req);
  const principal = principalOf(req);
  return { userId: principal.id, correlationId, principal };
}
