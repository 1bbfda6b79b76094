import type { z } from 'zod';
import { ApiError } from './api-error.js';

/** Parses a request part with a schema; a failure is a 400 naming each bad field. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, what = 'body'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => ({ field: i.path.join('.') || what, message: i.message }));
  const summary = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  throw new ApiError(400, 'VALIDATION_ERROR', `invalid ${what}: ${summary}`, problems);
}
