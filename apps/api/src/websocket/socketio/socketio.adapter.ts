import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { IncomingMessage } from 'node:http';
import { isOriginAllowed, type Logger, type Metrics, type Settings } from '#platform';
import { clientIp } from '../../http/client-ip.js';
import { MAX_INBOUND_FRAME_BYTES } from '../ws-messages.js';

/**
 * Socket.IO on the HTTP server's port, tuned by the seed's settings. Its in-memory
 * connection-state recovery stays off: it loses messages across processes, whereas a
 * client that sends `auth.lastEventId` resumes from the event store on any of them.
 */
type IoServerOptions = NonNullable<Parameters<IoAdapter['createIOServer']>[1]>;
type IoServer = ReturnType<IoAdapter['createIOServer']>;
type IoSocket = Parameters<IoAdapter['bindMessageHandlers']>[0];

export interface SocketIoAdapterDeps {
  readonly settings: Settings;
  readonly logger: Logger;
  readonly metrics: Metrics;
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
    const { settings } = this.deps;
    const pingMs = settings.WEBSOCKET_PING_INTERVAL * 1000;
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
    this.reportEngineFaults(server);
    return server;
  }

  /** Socket.IO's parser errors reach the client's sockets as 'error': recorded, not printed to stderr. */
  override bindClientConnect(server: unknown, callback: (socket: IoSocket) => void): void {
    (server as IoServer).on('connection', (socket: IoSocket) => {
      socket.on('error', (error: Error) => this.report(socket.request, error.message, 'socket.io client sent a malformed packet; closed its connection'));
    });
    super.bindClientConnect(server, callback);
  }

  /** CORS_ORIGINS for the polling transport (CORS headers) and every handshake (Origin checked, as on raw WebSockets). */
  private originPolicy(): Partial<IoServerOptions> {
    const policy = this.deps.settings.CORS_ORIGINS;
    if (policy.kind === 'none') return {};
    return {
      cors: { origin: (origin: string | undefined, callback: (error: Error | null, allow?: boolean) => void) => callback(null, isOriginAllowed(policy, origin)) },
      allowRequest: (req, callback) => callback(null, isOriginAllowed(policy, req.headers.origin)),
    };
  }

  /** A connection engine.io closed because its packets did not parse is a client fault, as on the raw WebSocket. */
  private reportEngineFaults(server: IoServer): void {
    server.engine.on('connection', (conn: { request: IncomingMessage; once(event: 'close', listener: (reason: string) => void): void }) => {
      conn.once('close', (reason) => {
        if (reason === 'parse error') this.report(conn.request, reason, 'socket.io client sent a malformed packet; closed its connection');
      });
    });
  }

  private report(req: IncomingMessage, reason: string, msg: string): void {
    const { logger, metrics, settings } = this.deps;
    metrics.streamingErrors.inc({ type: 'websocket', endpoint: 'socketio' });
    logger.warn({ fault: 'socketio_client', endpoint: 'socketio', path: req.url?.split('?')[0], ip: clientIp(req, settings), reason }, msg);
  }
}
