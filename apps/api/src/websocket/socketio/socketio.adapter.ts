import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { isOriginAllowed, type Settings } from '#platform';
import { closeCodeFor, errorMessage, MAX_INBOUND_FRAME_BYTES } from '../ws-messages.js';

const ROOT_MESSAGE = 'no endpoint in namespace /: connect to /investigations or /chat';

/** The connect_error of the root namespace, shaped as the gateways' refusals: `data` has the error and the close code. */
function noEndpointHere(): Error {
  return Object.assign(new Error(ROOT_MESSAGE), { data: { ...errorMessage('NOT_FOUND', ROOT_MESSAGE), close_code: closeCodeFor(404) } });
}

/**
 * Socket.IO on the HTTP server's port, tuned by the seed's settings. Its in-memory
 * connection-state recovery stays off: it loses messages across processes, whereas a
 * client that sends `auth.lastEventId` resumes from the event store on any of them.
 */
type IoServerOptions = NonNullable<Parameters<IoAdapter['createIOServer']>[1]>;

export class SocketIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly settings: Settings,
  ) {
    super(app);
  }

  // Typed from IoAdapter itself: @nestjs/platform-socket.io brings its own socket.io copy.
  override createIOServer(port: number, options?: IoServerOptions): ReturnType<IoAdapter['createIOServer']> {
    const pingMs = this.settings.WEBSOCKET_PING_INTERVAL * 1000;
    const tuned: Partial<IoServerOptions> = {
      ...options,
      path: '/socket.io',
      serveClient: false,
      // Other upgrade paths belong to the raw WebSocket router, which answers unknown ones itself.
      destroyUpgrade: false,
      pingInterval: pingMs,
      pingTimeout: pingMs,
      maxHttpBufferSize: MAX_INBOUND_FRAME_BYTES,
      perMessageDeflate: false,
      ...this.originPolicy(),
    };
    const server = super.createIOServer(port, tuned as IoServerOptions);
    // Socket.IO always has a root namespace; no endpoint lives there, so nobody may connect to it.
    server.of('/').use((_socket, next) => next(noEndpointHere()));
    return server;
  }

  /** CORS_ORIGINS for the polling transport (CORS headers) and every handshake (Origin checked, as on raw WebSockets). */
  private originPolicy(): Partial<IoServerOptions> {
    const policy = this.settings.CORS_ORIGINS;
    if (policy.kind === 'none') return {};
    return {
      cors: { origin: (origin: string | undefined, callback: (error: Error | null, allow?: boolean) => void) => callback(null, isOriginAllowed(policy, origin)) },
      allowRequest: (req, callback) => callback(null, isOriginAllowed(policy, req.headers.origin)),
    };
  }
}
