import type { PerMessageDeflateOptions, WebSocket } from 'ws';
import type { WebSocketDeflateSettings } from '#platform';

/**
 * The `ws` server's permessage-deflate (RFC 7692) from WEBSOCKET_PERMESSAGE_DEFLATE and its
 * bounds. `ws` accepts the extension only from a client that offers it, and answers with
 * `server_max_window_bits` set to the configured window, so every connection's compressor
 * holds at most 2^windowBits bytes of history plus what memLevel allots. A client asking for
 * an even smaller server window than ours is refused the extension (it gets plain frames).
 * What the client sends is inflated with the window it chose; its inflated messages are bounded by maxPayload whatever the window.
 */
export function perMessageDeflateOptions(deflate: WebSocketDeflateSettings | false): PerMessageDeflateOptions | false {
  if (deflate === false) return false;
  return {
    serverMaxWindowBits: deflate.windowBits,
    // The window itself comes from the negotiated server_max_window_bits.
    zlibDeflateOptions: { level: deflate.level, memLevel: deflate.memLevel },
    threshold: deflate.threshold,
    concurrencyLimit: deflate.concurrency,
  };
}

/** True when this connection negotiated permessage-deflate: its messages must go through `ws`'s compressor. */
export function deflateNegotiated(ws: WebSocket): boolean {
  return ws.extensions.includes('permessage-deflate');
}
