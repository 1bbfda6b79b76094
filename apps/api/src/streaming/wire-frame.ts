import { formatSse, type SseFrame } from '#platform';

/**
 * One event in its wire forms, each made on first use and then shared by every subscriber
 * of every transport: the SSE frame's bytes, the WebSocket message's text.
 */
export class WireFrame<Data extends { readonly type: string } = { readonly type: string }> implements SseFrame {
  private sseBytes: Buffer | null = null;

  constructor(
    /** The SSE id: a revision in its stream, or a global position for the feed. */
    readonly id: number,
    readonly data: Data,
  ) {}

  get sse(): Buffer {
    this.sseBytes ??= Buffer.from(formatSse({ id: this.id, data: this.data }));
    return this.sseBytes;
  }
}
