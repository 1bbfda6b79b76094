import { z } from 'zod';

/**
 * An event id as a client sends it back (Last-Event-ID, ?last_event_id=, a WebSocket
 * `resume`): decimal digits only, no sign, space, exponent or hex, at most 15 of them so
 * the number stays exact. Ids are revisions or positions, which these cover.
 */
export const eventIdSchema = z
  .string()
  .regex(/^\d{1,15}$/, 'must be a whole number of at most 15 digits (no sign, spaces or other notation)')
  .transform(Number);

/** The same id where a JSON client may send it as a number. */
export const eventIdValueSchema = z.union([z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER), eventIdSchema]);
