/** Murmur3's finaliser: spreads every input bit over the whole 32-bit word. */
export function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Order-sensitive combination of two 32-bit words. */
export function combine32(a: number, b: number): number {
  return mix32(Math.imul(a ^ 0x9e3779b9, 0x01000193) ^ mix32(b + 0x7f4a7c15));
}

/** FNV-1a over UTF-16 code units, finalised: stable across processes and platforms. */
export function hashString(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

const hex8 = (value: number): string => (value >>> 0).toString(16).padStart(8, '0');

/**
 * A UUID-shaped (RFC 9562 version 8, "custom") identifier derived from a key, so the same
 * finding gets the same id in every process and after every replay.
 */
export function stableUuid(key: string): string {
  const a = hashString(key, 0x1b873593);
  const b = hashString(key, 0xcc9e2d51);
  const c = hashString(key, 0x27d4eb2f);
  const d = hashString(key, 0x165667b1);
  const timeHi = ((b & 0x0fff) | 0x8000) >>> 0;
  const variant = ((c >>> 16) & 0x3fff) | 0x8000;
  const h = hex8(b);
  return `${hex8(a)}-${h.slice(0, 4)}-${timeHi.toString(16).padStart(4, '0')}-${variant.toString(16)}-${hex8(c).slice(4)}${hex8(d)}`;
}
