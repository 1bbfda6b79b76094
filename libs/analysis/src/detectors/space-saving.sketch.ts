export interface HeavyHitter {
  readonly id: number;
  /** Overestimate of the key's weight; `weight - error` is a guaranteed lower bound. */
  readonly weight: number;
  readonly error: number;
  /** Items counted since the key entered the sketch (a lower bound of its true count). */
  readonly count: number;
  /** A few of its item ids, as evidence (from its second item on: most keys never get one). */
  readonly sampleIds: readonly string[];
}

const SAMPLE_IDS = 5;

/**
 * Weighted Space-Saving (Metwally et al.): the heaviest keys of a stream in k counters; any
 * key holding more than 1/k of the total weight is guaranteed to be tracked. Keys are integers
 * in a typed array and an eviction stores no string, so the stream of one-off keys costs the
 * garbage collector nothing.
 */
export class SpaceSaving {
  private readonly ids: Int32Array;
  private size = 0;
  private readonly samples: string[] = [];
  private readonly sampleCounts: Uint8Array;
  private readonly weights: Float64Array;
  private readonly errors: Float64Array;
  private readonly counts: Uint32Array;
  private totalWeight = 0;
  private totalCount = 0;

  constructor(private readonly capacity: number) {
    this.ids = new Int32Array(capacity).fill(-1);
    this.weights = new Float64Array(capacity);
    this.errors = new Float64Array(capacity);
    this.counts = new Uint32Array(capacity);
    this.sampleCounts = new Uint8Array(capacity);
  }

  get total(): number {
    return this.totalWeight;
  }

  get count(): number {
    return this.totalCount;
  }

  add(keyId: number, weight: number, itemId: string): void {
    this.totalWeight += weight;
    this.totalCount++;
    const size = this.size;
    let slot = this.ids.indexOf(keyId);
    if (slot < 0) {
      slot = size < this.capacity ? size : this.lightest();
      const inherited = slot < size ? (this.weights[slot] ?? 0) : 0;
      if (slot === size) this.size++;
      this.ids[slot] = keyId;
      this.weights[slot] = inherited + weight;
      this.errors[slot] = inherited;
      this.counts[slot] = 1;
      this.sampleCounts[slot] = 0;
      return;
    }
    this.weights[slot] = (this.weights[slot] ?? 0) + weight;
    this.counts[slot] = (this.counts[slot] ?? 0) + 1;
    const samples = this.sampleCounts[slot] ?? 0;
    if (samples < SAMPLE_IDS) {
      this.samples[slot * SAMPLE_IDS + samples] = itemId;
      this.sampleCounts[slot] = samples + 1;
    }
  }

  /** Tracked keys, heaviest (by guaranteed weight) first. */
  top(): HeavyHitter[] {
    return Array.from(this.ids.subarray(0, this.size), (id, slot) => ({
      id,
      weight: this.weights[slot] ?? 0,
      error: this.errors[slot] ?? 0,
      count: this.counts[slot] ?? 0,
      sampleIds: this.samples.slice(slot * SAMPLE_IDS, slot * SAMPLE_IDS + (this.sampleCounts[slot] ?? 0)),
    })).sort((a, b) => b.weight - b.error - (a.weight - a.error) || a.id - b.id);
  }

  private lightest(): number {
    let slot = 0;
    let lightest = Infinity;
    for (let i = 0; i < this.capacity; i++) {
      const weight = this.weights[i] ?? 0;
      if (weight < lightest) {
        lightest = weight;
        slot = i;
      }
    }
    return slot;
  }
}
