import { createHash, createHmac, randomUUID } from 'node:crypto';
import { flatString } from '../memory/flat-string.js';

/** A version-5-shaped UUID from 32 hex digits or more. */
function uuidFrom(hex: string): string {
  const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A UUID-shaped id derived from its parts: the same parts always give the same id. */
export function deterministicUuid(...parts: string[]): string {
  return uuidFrom(createHash('sha256').update(parts.join('\u0000')).digest('hex'));
}

/**
 * Like deterministicUuid, but keyed (HMAC-SHA256): only holders of the secret can compute
 * the id, so ids derived from what a client chose (an Idempotency-Key) cannot be guessed.
 */
export function keyedUuid(secret: string, ...parts: string[]): string {
  return uuidFrom(createHmac('sha256', secret).update(parts.join('\u0000')).digest('hex'));
}

/** A random UUID, flat: ids are kept for as long as what they name (a request, an open stream). */
export const newId = (): string => flatString(randomUUID());
