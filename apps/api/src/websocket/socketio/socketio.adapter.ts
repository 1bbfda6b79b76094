import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { ServerResponse, type IncomingMessage } from 'node:http';
import {
  isOriginAllowed,
  refuseUpgrade,
  type HttpSettings,
  type Logger,
  type Metrics,
  type WebSocketSettings,
} from '#platform';
import { clientIp } from '../../http/client-ip.js';
import { handshakeOriginAllowed, originRefusal } from '../../http/request-origin.js';
import type { RateLimiter } from '../../limits/rate-limiter.js';
import { closeCodeFor, errorMessage, MAX_INBOUND_FRAME_BYTES } from '../ws-messages.js';
import { oneWritePerFlush } from './io-frames.js';

const ROOT_MESSAGE = 'no endpoint in namespace /: connect to /investigations or /chat';

/** The connect_error of the root namespace, shaped as the gateways' refusals: `data` has the error and the close code. */
function noEndpointHere(): Error {
  return Object.assign(new Error(ROOT_MESSAGE), {
    data: { ...errorMessage('NOT_FOUND', ROOT_MESSAGE), close_code: closeCodeFor(404) },
  });
}

/**
 * Socket.IO on the HTTP server's port, tuned by the seed's settings. Its in-memory
 * connection-state recovery stays off: it loses messages across processes, whereas a
 * client that sends `auth.lastEventId` resumes from the event store on any of them.
 */
type IoServerOptions = NonNullable<Parameters<IoAdapter['createIOServer']>[1]>;
type IoServer = ReturnType<IoAdapter['createIOServer']>;
type IoSocket = Parameters<IoAdapter['bindMessageHandlers']>[0];
/** What engine.io adds to a request before its middlewares run. */
type EngineRequest = IncomingMessage & { readonly _query?: Readonly<Record<string, string>> };

export interface SocketIoAdapterDeps {
  readonly http: HttpSettings;
  readonly websocket: WebSocketSettings;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly limiter: RateLimiter;
}

export class SocketIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly deps: SocketIoAdapterDeps,
  ) {
    super(app);
  }

  // Typed from IoAdapter itself: @nestjs/platform-socket.io brings its own socket.io copy.
  override createIOServer(port: number, options?: IoServerOptions): IoServer {
    const { http, websocket } = this.deps;
    const pingMs = websocket.pingIntervalSeconds * 1000;
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
      // CORS headers for the polling transport; handshakes are checked below, in every mode.
      ...(http.corsOrigins.kind === 'none'
        ? {}
        : {
            cors: {
              origin: (origin: string | undefined, callback: (error: Error | null, allow?: boolean) => void) =>
                callback(null, isOriginAllowed(http.corsOrigins, origin)),
            },
          }),
    };
    const server = super.createIOServer(port, tuned as IoServerOptions);
    this.refuseForeignOrigins(server);
    this.countNewSessions(server);
    this.reportEngineFaults(server);
    oneWritePerFlush(server.engine);
    // Socket.IO always has a root namespace; no endpoint lives there, so nobody may connect to it.
    server.of('/').use((_socket, next) => next(noEndpointHere()));
    return server;
  }

  /**
   * Socket.IO's parser errors reach the client's sockets as 'error': recorded, not printed to
   * stderr. A client may also emit an event named "error" (JSON, never an Error): without a
   * listener EventEmitter would throw it; it is answered as an unknown event elsewhere.
   */
  override bindClientConnect(server: unknown, callback: (socket: IoSocket) => void): void {
    (server as IoServer).on('connection', (socket: IoSocket) => {
      socket.on('error', (error: unknown) => {
        if (error instanceof Error)
          this.report(socket.request, error.message, 'socket.io client sent a malformed packet; closed its connection');
      });
    });
    super.bindClientConnect(server, callback);
  }

  /**
   * CORS_ORIGINS for every Socket.IO request (polling) and upgrade (websocket), with the raw
   * WebSocket's answer: 403 ORIGIN_NOT_ALLOWED. Engine middlewares run before the handshake.
   */
  private refuseForeignOrigins(server: IoServer): void {
    const { http } = this.deps;
    server.engine.use((req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => {
      if (handshakeOriginAllowed(req, http)) return next();
      const body = originRefusal(req, http);
      if (!(res instanceof ServerResponse)) return refuseUpgrade(req.socket, 403, body);
      res.writeHead(403, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    });
  }

  /**
   * A new engine.io session (a request without `sid`: the polling handshake, or a WebSocket
   * opened at once) counts against its address's request budget, as each raw WebSocket
   * upgrade does: without it one address opened thousands a second, each held for a ping
   * timeout. The session's own polls and posts are its traffic, not new requests.
   */
  private countNewSessions(server: IoServer): void {
    const { http, limiter } = this.deps;
    server.engine.use((req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => {
      // engine.io parsed the query before its middlewares, and starts a session where `sid` is empty too.
      if ((req as EngineRequest)._query?.sid) return next();
      void limiter.refusalOf(req, http).then((refusal) => {
        if (!refusal) return next();
        if (!(res instanceof ServerResponse))
          return refuseUpgrade(req.socket, refusal.status, refusal.body, refusal.headers);
        res
          .writeHead(refusal.status, { 'Content-Type': 'application/json', ...refusal.headers })
          .end(JSON.stringify(refusal.body));
      });
    });
  }

  /** A connection engine.io closed because its packets did not parse is a client fault, as on the raw WebSocket. */
  private reportEngineFaults(server: IoServer): void {
    server.engine.on(
      'connection',
      (conn: { request: IncomingMessage; once(event: 'close', listener: (reason: string) => void): void }) => {
        conn.once('close', (reason) => {
          if (reason === 'parse error')
            this.report(conn.request, reason, 'socket.io client sent a malformed packet; closed its connection');
        });
      },
    );
  }

  private report(req: IncomingMessage, reason: string, msg: string): void {
    const { logger, metrics, http } = this.deps;
    metrics.streamingErrors.inc({ type: 'websocket', endpoint: 'socketio' });
    logger.warn(
      {
        fault: 'socketio_client',
        endpoint: 'socketio',
        path: req.url?.split('?')[0],
        ip: clientIp(req, http),
        reason,
      },
      msg,
    );
  }
}
