export interface BatchLimits {
  readonly maxMessages: number;
  readonly maxDelayMs: number;
  readonly maxBytes: number;
}

/** The general endpoint's batching: 10 messages, 50 ms or 64 KB, whichever comes first. */
export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxMessages: 10, maxDelayMs: 50, maxBytes: 64 * 1024 };

/**
 * Groups serialised messages into fewer frames: one frame per flush, the message itself
 * when it is alone, else `{"type":"batch","messages":[…]}`. Fewer frames mean fewer
 * syscalls and headers for a dashboard that receives bursts of small events.
 */
export class MessageBatcher {
  private pending: string[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly write: (frame: string) => void,
    private readonly limits: BatchLimits = DEFAULT_BATCH_LIMITS,
  ) {}

  /** Bytes waiting for the next flush: they count against the connection's send buffer. */
  get pendingBytes(): number {
    return this.bytes;
  }

  push(json: string): void {
    this.pending.push(json);
    this.bytes += Buffer.byteLength(json);
    if (this.pending.length >= this.limits.maxMessages || this.bytes >= this.limits.maxBytes) {
      this.flush();
      return;
    }
    this.timer ??= setTimeout(() => this.flush(), this.limits.maxDelayMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const messages = this.pending;
    this.pending = [];
    this.bytes = 0;
    this.write(messages.length === 1 ? (messages[0] as string) : `{"type":"batch","messages":[${messages.join(',')}]}`);
  }

  /** Drops what is pending: the connection is gone. */
  discard(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = [];
    this.bytes = 0;
  }
}
