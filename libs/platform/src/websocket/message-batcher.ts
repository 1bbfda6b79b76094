import type { TimerWheel, WheelTask } from '../streaming/timer-wheel.js';

export interface BatchLimits {
  readonly maxMessages: number;
  readonly maxDelayMs: number;
  readonly maxBytes: number;
}

/** The general endpoint's batching: 10 messages, 50 ms or 64 KB, whichever comes first. */
export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxMessages: 10, maxDelayMs: 50, maxBytes: 64 * 1024 };

/** A serialised message and its UTF-8 length; one made once can go to every connection's batch. */
export interface BatchedMessage {
  readonly text: string;
  readonly bytes: number;
}

export const batchedMessage = (text: string): BatchedMessage => ({ text, bytes: Buffer.byteLength(text) });

/** What one flush sends: the message itself when it is alone, else `{"type":"batch","messages":[…]}`. */
export function batchText(messages: readonly BatchedMessage[]): string {
  const [only] = messages;
  if (messages.length === 1 && only) return only.text;
  return `{"type":"batch","messages":[${messages.map((message) => message.text).join(',')}]}`;
}

/**
 * Groups serialised messages into fewer frames: one frame per flush (see `batchText`). Fewer
 * frames mean fewer syscalls and headers for a dashboard that receives bursts of small
 * events. Its delay is a slot of a shared timer wheel, not a timer of its own.
 */
export class MessageBatcher implements WheelTask {
  private pending: BatchedMessage[] = [];
  private bytes = 0;

  constructor(
    /** Sends one flush's messages as one frame (`batchText`). */
    private readonly write: (messages: readonly BatchedMessage[]) => void,
    private readonly wheel: TimerWheel,
    private readonly limits: BatchLimits = DEFAULT_BATCH_LIMITS,
  ) {}

  /** Bytes waiting for the next flush: they count against the connection's send buffer. */
  get pendingBytes(): number {
    return this.bytes;
  }

  push(message: BatchedMessage): void {
    const first = this.pending.length === 0;
    this.pending.push(message);
    this.bytes += message.bytes;
    if (this.pending.length >= this.limits.maxMessages || this.bytes >= this.limits.maxBytes) {
      this.flush();
      return;
    }
    if (first) this.wheel.schedule(this, this.limits.maxDelayMs);
  }

  /** The wheel's call: the delay since the first pending message is over. */
  fire(): void {
    this.flush();
  }

  flush(): void {
    this.wheel.cancel(this);
    if (this.pending.length === 0) return;
    const messages = this.pending;
    this.pending = [];
    this.bytes = 0;
    this.write(messages);
  }

  /** Drops what is pending: the connection is gone. */
  discard(): void {
    this.wheel.cancel(this);
    this.pending = [];
    this.bytes = 0;
  }
}
