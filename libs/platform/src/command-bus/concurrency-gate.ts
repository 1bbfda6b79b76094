/**
 * Counts the handler slots of one consumption. Slots can be reserved before a message
 * exists (a pull request in flight), so a consumer never holds more messages than it
 * can handle and the rest stay available to other workers.
 */
export class ConcurrencyGate {
  private used = 0;
  private freeWaiters: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`concurrency must be a positive integer, got ${capacity}`);
    }
  }

  get free(): number {
    return this.capacity - this.used;
  }

  get busy(): number {
    return this.used;
  }

  tryAcquire(count = 1): boolean {
    if (count < 1 || count > this.free) return false;
    this.used += count;
    return true;
  }

  release(count = 1): void {
    if (count <= 0) return;
    this.used = Math.max(0, this.used - count);
    this.wake(this.freeWaiters);
    if (this.used === 0) this.wake(this.idleWaiters);
  }

  /** Resolves true once a slot is free, false if the signal aborts first. */
  waitForFree(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (this.free > 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onAbort = (): void => resolve(false);
      signal.addEventListener('abort', onAbort, { once: true });
      this.freeWaiters.push(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      });
    });
  }

  whenIdle(): Promise<void> {
    if (this.used === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private wake(waiters: Array<() => void>): void {
    const woken = waiters.splice(0, waiters.length);
    for (const wake of woken) wake();
  }
}
