import { sseText, type SseFrame } from '#platform';

/** An event as a WebSocket client receives it: the seed's shapes, each with a `type`. */
export type WsMessage = { readonly type: string } & Readonly<Record<string, unknown>>;

/** The WebSocket message of most streams: the SSE data with its resume point `id` first. */
const withId = (id: number, data: { readonly type: string }): WsMessage => ({ id, ...data });

/**
 * One event in its wire forms, each made on first use and then shared by every subscriber
 * of every transport: the SSE frame's bytes, the WebSocket message and its text.
 */
export class WireFrame<Data extends { readonly type: string } = { readonly type: string }> implements SseFrame {
  private sseBytes: Buffer | null = null;
  private dataJson: string | null = null;
  private wsMessage: WsMessage | null = null;
  private wsText: string | null = null;
  private readonly shape: () => WsMessage;

  constructor(
    /** The SSE id: a revision in its stream, or a global position for the feed. */
    readonly id: number,
    readonly data: Data,
    wsShape: (id: number, data: Data) => WsMessage = withId,
  ) {
    this.shape = () => wsShape(id, data);
  }

  get sse(): Buffer {
    this.sseBytes ??= Buffer.from(sseText(this.id, this.json));
    return this.sseBytes;
  }

  /** The SSE data's JSON text, shared by the frame's own bytes and its multiplexed form. */
  get json(): string {
    this.dataJson ??= JSON.stringify(this.data);
    return this.dataJson;
  }

  /** The WebSocket message as an object, for transports that encode it themselves (Socket.IO). */
  get message(): WsMessage {
    this.wsMessage ??= this.shape();
    return this.wsMessage;
  }

  /** The WebSocket message's JSON text. */
  get ws(): string {
    this.wsText ??= JSON.stringify(this.message);
    return this.wsText;
  }
}

/**
 * The WebSocket text of `frame` with a `stream` field first (the /ws tag), as
 * `{ stream, ...message }` would encode, the frame's own encoding reused.
 */
export function taggedWsText(stream: string, frame: WireFrame): string {
  return taggedJson(stream, frame.ws);
}

/** A JSON object's text with a `stream` field first, as `{ stream, ...object }` would encode. */
export function taggedJson(stream: string, json: string): string {
  const head = `{"stream":${JSON.stringify(stream)}`;
  return json.length > 2 ? `${head},${json.slice(1)}` : `${head}}`;
}
