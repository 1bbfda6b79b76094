/**
 * Keys remembered for a fixed time. A Map iterates in insertion order and every write
 * re-inserts its key, so the oldest entries are always first and forgetting stops at the
 * first key still young: memory stays bounded by what was written during one window.
 */
export class ExpiringKeys {
  private readonly writtenAt = new Map<string, number>();

  constructor(private readonly ttlMs: number) {}

  has(key: string, now: number): boolean {
    this.forgetOlderThan(now - this.ttlMs);
    return this.writtenAt.has(key);
  }

  /** False when the key was already remembered (its first time is kept, like JetStream's). */
  addIfAbsent(key: string, now: number): boolean {
    if (this.has(key, now)) return false;
    this.writtenAt.set(key, now);
    return true;
  }

  /** Remembers the key from now on, whether or not it was known. */
  touch(key: string, now: number): void {
    this.forgetOlderThan(now - this.ttlMs);
    this.writtenAt.delete(key);
    this.writtenAt.set(key, now);
  }

  get size(): number {
    return this.writtenAt.size;
  }

  private forgetOlderThan(limit: number): void {
    for (const [key, at] of this.writtenAt) {
      if (at > limit) return;
      this.writtenAt.delete(key);
    }
  }
}
