import type { HubSubscription } from '#eventsourcing';
import { sseText, type SseFrame, type SseSink } from '#platform';
import { muxFrameOf, soloFramesOf, type MuxItem } from './mux-frames.js';
import { encodeCursor } from './stream-cursor.js';

/** What a stream of the connection writes into: the connection's one response. */
export interface MuxOutlet {
  /** False once the client's buffer passed SSE_BUFFER_SIZE: every source then waits for drain. */
  write(items: readonly MuxItem[]): boolean;

  writable(): Promise<void>;
  /** `finished`: the stream's own last event went out (an investigation's end); otherwise the connection ends, to be resumed. */
  ended(finished: boolean): void;
  failed(error: unknown): void;
}

export interface MuxSource {
  stop(): void;
}

/** A stream authorised and placed, ready to start: `start` is null when nothing more will come (a finished investigation the client has to its end). */
export interface MuxOpening {
  readonly key: string;
  readonly after: number;
  readonly start: ((outlet: MuxOutlet) => MuxSource) | null;
}

/**
 * One multiplexed SSE connection: its streams, where it stands in each, and the response
 * they share. Every event goes out as its stream's own data with a `stream` field first,
 * its SSE id the cursor of every stream after that event.
 */
export class MuxConnection implements HubSubscription {
  private readonly sources = new Map<string, MuxSource>();
  private readonly subscribed = new Set<string>();
  private closed = false;

  constructor(
    readonly id: string,
    readonly ownerId: string,
    readonly controlUrl: (id: string) => string,
    private readonly sink: SseSink<unknown>,
    /** Where the client stands: the streams it follows, and any others its cursor remembers. */
    private readonly positions: Map<string, number>,
    private readonly onClose: (connection: MuxConnection) => void,
  ) {}

  /** Where the client stands in every stream its cursor holds. */
  get cursor(): ReadonlyMap<string, number> {
    return this.positions;
  }

  get streams(): string[] {
    return [...this.subscribed];
  }

  has(key: string): boolean {
    return this.subscribed.has(key);
  }

  /**
   * Follows each opening's stream from its position, after telling the client the cursor
   * that holds every start: a client cut off before any event resumes from there.
   */
  add(openings: readonly MuxOpening[]): void {
    if (this.closed) return;
    for (const { key, after } of openings) {
      this.subscribed.add(key);
      this.positions.set(key, after);
    }
    this.announce();
    for (const { key, start } of openings) if (start) this.sources.set(key, start(this.outlet(key)));
  }

  /** Stops following `key` and forgets where it stood. */
  remove(key: string): void {
    this.sources.get(key)?.stop();
    this.sources.delete(key);
    this.subscribed.delete(key);
    this.positions.delete(key);
  }

  /** The connection's own event: its control URL and streams, with the cursor as its id. */
  private announce(): void {
    const data = {
      type: 'subscriptions',
      connection_id: this.id,
      control_url: this.controlUrl(this.id),
      streams: this.streams,
    };
    this.sink.write([{ sse: Buffer.from(sseText(encodeCursor(this.positions), JSON.stringify(data))) }]);
  }

  /** The response closed (client gone, limits, shutdown): every stream stops. */
  unsubscribe(): void {
    if (this.closed) return;
    this.closed = true;
    for (const source of this.sources.values()) source.stop();
    this.sources.clear();
    this.onClose(this);
  }

  private outlet(key: string): MuxOutlet {
    const { sink, positions } = this;
    const current = (): boolean => !this.closed && this.subscribed.has(key);
    const write = (items: readonly MuxItem[]): boolean => {
      if (!current()) return true;
      const last = items[items.length - 1];
      // A cursor of this stream alone: the frames every such connection sends.
      if (last && positions.size === 1) {
        positions.set(key, last.id);
        return sink.write(soloFramesOf(key, items));
      }
      const frames: SseFrame[] = items.map((item) => {
        positions.set(key, item.id);
        return muxFrameOf(key, item, positions);
      });
      return sink.write(frames);
    };
    return {
      write,
      writable: () => sink.writable(),
      ended: (finished) => {
        if (!current()) return;
        this.sources.delete(key);
        if (!finished) sink.end();
      },
      failed: (error) => {
        if (current()) sink.error(error);
      },
    };
  }
}
