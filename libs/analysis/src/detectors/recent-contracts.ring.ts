import type { ContractFacts } from './contract-facts.builder.js';

const EMPTY = new Uint32Array(0);

/**
 * The last `capacity` contracts in flat arrays (no object per contract, so the collector has
 * little to trace), plus a direct-mapped table of LSH buckets pointing into the ring by
 * sequence number. A bucket entry whose contract has left the ring is simply skipped.
 */
export class RecentContracts {
  private readonly capacity: number;
  private readonly ringMask: number;
  private readonly ids: string[];
  private readonly numeros: string[];
  /** Token hashes only, not the whole objeto analysis: what the similarity check needs. */
  private readonly tokens: Uint32Array[];
  private readonly days: Int32Array;
  private readonly values: Float64Array;
  private readonly buyers: Int32Array;
  private readonly vendors: Int32Array;
  /** Per bucket: [key, cursor, seq + 1 × bucketSize]; 0 marks an empty entry. */
  private readonly table: Uint32Array;
  private readonly tableMask: number;
  private readonly stride: number;
  private sequence = 0;

  constructor(
    windowSize: number,
    buckets: number,
    private readonly bucketSize: number,
  ) {
    this.capacity = 2 ** Math.ceil(Math.log2(Math.max(16, windowSize)));
    this.ringMask = this.capacity - 1;
    this.ids = new Array<string>(this.capacity).fill('');
    this.numeros = new Array<string>(this.capacity).fill('');
    this.tokens = new Array<Uint32Array>(this.capacity).fill(EMPTY);
    this.days = new Int32Array(this.capacity);
    this.values = new Float64Array(this.capacity);
    this.buyers = new Int32Array(this.capacity);
    this.vendors = new Int32Array(this.capacity);
    const slots = 2 ** Math.ceil(Math.log2(Math.max(16, buckets)));
    this.tableMask = slots - 1;
    this.stride = 2 + bucketSize;
    this.table = new Uint32Array(slots * this.stride);
  }

  /** Writes the ring positions still remembered in the bucket of `key` into `into`; returns how many. */
  candidates(key: number, into: Int32Array): number {
    const at = (key & this.tableMask) * this.stride;
    if (this.table[at] !== key) return 0;
    let found = 0;
    for (let k = 0; k < this.bucketSize; k++) {
      const stored = this.table[at + 2 + k] ?? 0;
      if (stored === 0 || this.sequence - (stored - 1) > this.capacity) continue;
      into[found++] = (stored - 1) & this.ringMask;
    }
    return found;
  }

  /** Stores the contract and files it under its bucket keys; returns its ring position. */
  remember(facts: ContractFacts, keys: readonly number[]): number {
    const seq = this.sequence++;
    const slot = seq & this.ringMask;
    this.ids[slot] = facts.contract.id;
    this.numeros[slot] = facts.contract.numero;
    this.tokens[slot] = facts.object.tokenHashes;
    this.days[slot] = facts.day ?? 0;
    this.values[slot] = facts.initial;
    this.buyers[slot] = facts.buyerId;
    this.vendors[slot] = facts.vendorId;
    for (const key of keys) this.file(key, seq);
    return slot;
  }

  /** How many contracts ago the one at `slot` arrived, relative to `own`. */
  age(slot: number, own: number): number {
    return (own - slot) & this.ringMask;
  }

  id = (slot: number): string => this.ids[slot] ?? '';
  numero = (slot: number): string => this.numeros[slot] ?? '';
  day = (slot: number): number => this.days[slot] ?? 0;
  value = (slot: number): number => this.values[slot] ?? 0;
  buyerId = (slot: number): number => this.buyers[slot] ?? -1;
  vendorId = (slot: number): number => this.vendors[slot] ?? -1;

  tokenHashes = (slot: number): Uint32Array => this.tokens[slot] ?? EMPTY;

  /** A new key takes over its table slot: direct-mapped, constant time, nothing to delete. */
  private file(key: number, seq: number): void {
    const at = (key & this.tableMask) * this.stride;
    if (this.table[at] !== key) {
      this.table.fill(0, at, at + this.stride);
      this.table[at] = key;
    }
    const cursor = this.table[at + 1] ?? 0;
    this.table[at + 2 + cursor] = seq + 1;
    this.table[at + 1] = (cursor + 1) % this.bucketSize;
  }
}
