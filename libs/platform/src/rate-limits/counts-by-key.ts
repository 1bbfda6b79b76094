/**
 * What each key (an address, a user) holds now: a count or a number of bytes. A key that holds
 * nothing is forgotten, so the map is as large as the keys holding something at this moment.
 */
export class CountsByKey {
  private readonly counts = new Map<string, number>();

  of(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  add(key: string, amount = 1): void {
    this.counts.set(key, this.of(key) + amount);
  }

  subtract(key: string, amount = 1): void {
    const left = this.of(key) - amount;
    if (left > 0) this.counts.set(key, left);
    else this.counts.delete(key);
  }

  /** Keys holding something. */
  get size(): number {
    return this.counts.size;
  }
}
