import type { z } from 'zod';
import { ApiError } from './api-error.js';

interface Problem {
  readonly field: string;
  readonly message: string;
}

function invalid(what: string, problems: readonly Problem[]): ApiError {
  const summary = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  return new ApiError(400, 'VALIDATION_ERROR', `invalid ${what}: ${summary}`, problems);
}

/** Parses a request part with a schema; a failure is a 400 naming each bad field. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, what = 'body'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw invalid(
    what,
    result.error.issues.map((i) => ({ field: i.path.join('.') || what, message: i.message })),
  );
}

/** Parameters of a query string given more than once (`?limit=1&limit=2` parses to an array). */
function repeatedParameters(value: unknown, what: string): string[] {
  if (Array.isArray(value)) return [what];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value)
    .filter(([, given]) => Array.isArray(given))
    .map(([name]) => name);
}

/**
 * Parses a query string's parameters (or one of them, named `what`) with a schema. No
 * parameter takes a list, so one given more than once is refused as such, not as the wrong
 * type its two values parse to.
 */
export function parseQueryOr400<S extends z.ZodType>(schema: S, value: unknown, what = 'query'): z.output<S> {
  const repeated = repeatedParameters(value, what);
  if (repeated.length === 0) return parseOr400(schema, value, what);
  throw invalid(
    what,
    repeated.map((field) => ({ field, message: 'given more than once; give it once' })),
  );
}
