import { combine32, hashString, mix32 } from '../../util/stable-hash.js';

const TWO_32 = 4_294_967_296;

/**
 * Counter-based randomness: every draw is a pure hash of (seed, index, stream), so the
 * i-th contract is computed without generating the ones before it.
 */
export class CounterRandom {
  private readonly key: number;

  constructor(seed: string) {
    this.key = hashString(seed, 0x2545f491);
  }

  /** A 32-bit word for (index, stream); different streams are independent draws. */
  u32(index: number, stream: number): number {
    const high = Math.floor(index / TWO_32);
    return mix32(combine32(combine32(this.key ^ Math.imul(stream, 0x27d4eb2f), index >>> 0), high));
  }

  /** Uniform in [0, 1). */
  uniform(index: number, stream: number): number {
    return this.u32(index, stream) / TWO_32;
  }

  /** Uniform in [low, high). */
  between(index: number, stream: number, low: number, high: number): number {
    return low + (high - low) * this.uniform(index, stream);
  }

  /** Integer in [0, n). */
  int(index: number, stream: number, n: number): number {
    return Math.floor(this.uniform(index, stream) * n);
  }

  /** Standard normal (Box-Muller on two streams). */
  normal(index: number, stream: number): number {
    const u1 = (this.u32(index, stream) + 1) / (TWO_32 + 1);
    const u2 = this.uniform(index, stream + 0x100);
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}

/** Index of the first cumulative weight above `u × total` (binary search). */
export function pickWeighted(cumulative: Float64Array, u: number): number {
  const target = u * (cumulative[cumulative.length - 1] ?? 0);
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((cumulative[mid] ?? 0) > target) high = mid;
    else low = mid + 1;
  }
  return low;
}

export function cumulativeOf(weights: readonly number[]): Float64Array {
  const cumulative = new Float64Array(weights.length);
  let sum = 0;
  weights.forEach((weight, i) => {
    sum += weight;
    cumulative[i] = sum;
  });
  return cumulative;
}
