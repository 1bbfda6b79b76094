import { combine32, mix32 } from '../util/stable-hash.js';

export const BANDS = 4;
const ROWS = 2;
const HASHES = BANDS * ROWS;
const SEEDS = Uint32Array.from({ length: HASHES }, (_, i) => mix32(0x5bd1e995 + i * 0x9e3779b9));

/**
 * LSH band signatures of a token set: two sets with Jaccard similarity s share at least one
 * band with probability 1 - (1 - s^2)^4 (99.4% at s = 0.85, 68% at s = 0.5, 15% at s = 0.2),
 * so near-identical texts meet in a bucket without comparing every pair. Buckets are also
 * keyed by buyer and vendor, so the looser bands cost few extra comparisons.
 */
export function bandSignatures(tokenHashes: Uint32Array): Uint32Array | null {
  if (tokenHashes.length === 0) return null;
  const minima = new Uint32Array(HASHES).fill(0xffffffff);
  for (const token of tokenHashes) {
    for (let i = 0; i < HASHES; i++) {
      const h = mix32(token ^ (SEEDS[i] ?? 0));
      if (h < (minima[i] ?? 0)) minima[i] = h;
    }
  }
  const bands = new Uint32Array(BANDS);
  for (let b = 0; b < BANDS; b++) {
    let h = b + 1;
    for (let r = 0; r < ROWS; r++) h = combine32(h, minima[b * ROWS + r] ?? 0);
    bands[b] = h;
  }
  return bands;
}

/** Jaccard similarity of two sorted sets of token hashes (a merge walk). */
export function jaccard(a: Uint32Array, b: Uint32Array): number {
  if (a === b || (a.length === 0 && b.length === 0)) return 1;
  let i = 0;
  let j = 0;
  let shared = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] ?? 0;
    const y = b[j] ?? 0;
    if (x === y) {
      shared++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return shared / (a.length + b.length - shared);
}
