import type { CounterRandom } from './counter-random.prng.js';
import { S } from './synthetic-streams.js';

/** Contracts are planted in chunks of this many consecutive indices, so groups stay local. */
export const CHUNK = 50;

export const ROLE = {
  plain: 0,
  price: 1,
  amendment: 2,
  /** Re-registration of an earlier contract of the same chunk (`link` is the original's offset). */
  copy: 3,
  /** Member of the chunk's split purchase (`splitStart`, `splitSize`). */
  split: 4,
  /** A plain contract that a copy repeats: it must keep its dates. */
  original: 5,
} as const;
export type Role = (typeof ROLE)[keyof typeof ROLE];

const ROLES: ReadonlySet<number> = new Set(Object.values(ROLE));

export function asRole(value: number): Role {
  if (!ROLES.has(value)) throw new RangeError(`unknown synthetic role ${value}`);
  return value as Role;
}

export interface ChunkLayout {
  readonly chunk: number;
  readonly roles: Uint8Array;
  readonly link: Int16Array;
  readonly splitStart: number;
  readonly splitSize: number;
}

export interface PlantRates {
  readonly splitPerChunk: number;
  readonly copy: number;
  readonly price: number;
  readonly amendment: number;
}

/** Shares of the anomaly rate per planted kind; a split group has ~4 contracts. */
export function plantRates(anomalyRate: number): PlantRates {
  return {
    splitPerChunk: Math.min(0.9, (anomalyRate * 0.3 * CHUNK) / 4),
    copy: anomalyRate * 0.2,
    price: anomalyRate * 0.25,
    amendment: anomalyRate * 0.25,
  };
}

/** Which offsets of a chunk carry which planted anomaly: a pure function of (seed, chunk). */
export function chunkLayout(rng: CounterRandom, rates: PlantRates, chunk: number): ChunkLayout {
  const roles = new Uint8Array(CHUNK);
  const link = new Int16Array(CHUNK).fill(-1);
  let splitStart = -1;
  let splitSize = 0;
  if (rng.uniform(chunk, S.chunkSplit) < rates.splitPerChunk) {
    splitSize = 3 + rng.int(chunk, S.chunkSplitSize, 3);
    splitStart = rng.int(chunk, S.chunkSplitStart, CHUNK - splitSize + 1);
    roles.fill(ROLE.split, splitStart, splitStart + splitSize);
  }
  for (let j = 0; j < CHUNK; j++) {
    if (roles[j] !== ROLE.plain) continue;
    const i = chunk * CHUNK + j;
    if (j > 0 && rng.uniform(i, S.slotDuplicate) < rates.copy) {
      const original = j - 1 - rng.int(i, S.slotDuplicateOffset, Math.min(j, 6));
      const originalRole = roles[original];
      if (originalRole === ROLE.plain || originalRole === ROLE.original) {
        roles[j] = ROLE.copy;
        link[j] = original;
        roles[original] = ROLE.original;
        continue;
      }
    }
    if (rng.uniform(i, S.slotPrice) < rates.price) roles[j] = ROLE.price;
    else if (rng.uniform(i, S.slotAmendment) < rates.amendment) roles[j] = ROLE.amendment;
  }
  return { chunk, roles, link, splitStart, splitSize };
}
