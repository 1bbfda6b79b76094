import { CountsByKey } from '../rate-limits/counts-by-key.js';

/** Who holds a stream: the client's address, and its user when a token proved one. */
export interface StreamHolder {
  readonly address: string;
  /** Null for a caller no token identified. */
  readonly userId: string | null;
}

export interface StreamQuota {
  /** MAX_CONCURRENT_STREAMS: every open stream of this process, whatever carries it. */
  readonly capacity: number;
  /** MAX_STREAMS_PER_IP. */
  readonly perAddress: number;
  /** MAX_STREAMS_PER_USER. */
  readonly perUser: number;
  /** MAX_ANONYMOUS_STREAMS: the rest of the capacity is kept for callers with a token. */
  readonly anonymous: number;
}

export type StreamRefusal = 'capacity' | 'address' | 'user' | 'anonymous';

export type Admission =
  | { readonly ok: true; readonly release: () => void }
  | { readonly ok: false; readonly refusal: StreamRefusal; readonly limit: number };

/**
 * The open streams of one process (SSE, raw WebSocket, Socket.IO), counted per address and
 * per user, so that one client cannot take every slot: many connections from one address
 * stop at its quota, and callers without a token share a part of the capacity, never all of it.
 */
export class StreamAdmission {
  private open = 0;
  private anonymousOpen = 0;
  private readonly byAddress = new CountsByKey();
  private readonly byUser = new CountsByKey();

  constructor(readonly quota: StreamQuota) {}

  get active(): number {
    return this.open;
  }

  tryAcquire(holder: StreamHolder): Admission {
    const refusal = this.refusalFor(holder);
    if (refusal) return { ok: false, refusal, limit: this.limitOf(refusal) };
    // The release keeps the two strings, not the holder: it lives as long as the stream.
    const { address, userId } = holder;
    this.open++;
    if (userId === null) this.anonymousOpen++;
    this.byAddress.add(address);
    if (userId !== null) this.byUser.add(userId);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.open--;
      if (userId === null) this.anonymousOpen--;
      this.byAddress.subtract(address);
      if (userId !== null) this.byUser.subtract(userId);
    };
    return { ok: true, release };
  }

  private refusalFor(holder: StreamHolder): StreamRefusal | null {
    if (this.open >= this.quota.capacity) return 'capacity';
    if (this.byAddress.of(holder.address) >= this.quota.perAddress) return 'address';
    if (holder.userId === null && this.anonymousOpen >= this.quota.anonymous) return 'anonymous';
    if (holder.userId !== null && this.byUser.of(holder.userId) >= this.quota.perUser) return 'user';
    return null;
  }

  private limitOf(refusal: StreamRefusal): number {
    const limits: Record<StreamRefusal, number> = {
      capacity: this.quota.capacity,
      address: this.quota.perAddress,
      user: this.quota.perUser,
      anonymous: this.quota.anonymous,
    };
    return limits[refusal];
  }
}
