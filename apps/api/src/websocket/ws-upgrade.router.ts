import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  refuseUpgrade,
  type Authenticator,
  type HttpSettings,
  type Principal,
  type Runtime,
  type WebSocketSettings,
} from '#platform';
import type { StreamHubs } from '#eventsourcing';
import { AuditRecorder } from '../audit/audit-recorder.js';
import { ChatService } from '../chat/chat.service.js';
import { ApiError } from '../http/api-error.js';
import { requestIdsOf } from '../http/request-ids.js';
import { InvestigationsService } from '../investigations/investigations.service.js';
import { clientIp } from '../http/client-ip.js';
import { handshakeOriginAllowed, originRefusal } from '../http/request-origin.js';
import { RateLimiter } from '../limits/rate-limiter.js';
import { StreamGate } from '../limits/stream-gate.js';
import type { WireFrame } from '../streaming/wire-frame.js';
import { GraphqlEndpoint } from '../graphql/graphql-endpoint.js';
import { serveGraphql } from '../graphql/graphql-socket.js';
import { AUTHENTICATOR, CHAT_HUBS, INVESTIGATION_HUBS, RUNTIME, SETTINGS } from '../tokens.js';
import { serveChat } from './chat-socket.js';
import { ChatParticipantDeps } from './chat-participant-deps.js';
import { serveGeneral } from './general-socket.js';
import { serveInvestigation } from './investigation-watch.js';
import { PeerTimers } from './peer.js';
import { admit, type Admission } from './ws-auth.js';
import { guardUpgradeSocket, guardWebSocket, type FaultScope } from './ws-client-faults.js';
import { WsConnections } from './ws-connections.js';
import { closeCodeOf, closeReason, errorFrom, MAX_INBOUND_FRAME_BYTES, WS_CLOSE } from './ws-messages.js';
import { perMessageDeflateOptions } from './ws-deflate.js';
import { WsPeer } from './ws-peer.js';
import { parseUpgradeQuery, routeOf, type UpgradeQuery, type WsRoute } from './ws-routes.js';

type Endpoint = Exclude<WsRoute, { kind: 'socketio' } | { kind: 'unknown' }>;

/**
 * Routes the HTTP server's upgrades by path: `/api/v1/ws*` and `/graphql` to the raw
 * endpoints (one `ws` server, noServer), `/socket.io/` to Socket.IO's own listener, anything
 * else refused with a 404. The token is checked before the handshake completes, and a
 * refusal is sent after it, as close code 1008: browsers cannot read the status of a refused
 * upgrade. GraphQL's token comes after the handshake, in graphql-ws's connection_init.
 */
@Injectable()
export class WsUpgradeRouter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly wss: WebSocketServer;
  private server: Server | null = null;
  private readonly listener = (req: IncomingMessage, socket: Duplex, head: Buffer): void =>
    this.onUpgrade(req, socket, head);

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(RUNTIME) private readonly runtime: Pick<Runtime, 'logger' | 'metrics'>,
    @Inject(SETTINGS.http) private readonly http: HttpSettings,
    @Inject(SETTINGS.websocket) private readonly websocket: WebSocketSettings,
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    private readonly investigations: InvestigationsService,
    private readonly chat: ChatService,
    private readonly limiter: RateLimiter,
    private readonly gate: StreamGate,
    private readonly connections: WsConnections,
    private readonly audit: AuditRecorder,
    private readonly timers: PeerTimers,
    private readonly chatDeps: ChatParticipantDeps,
    @Inject(INVESTIGATION_HUBS) private readonly investigationHubs: StreamHubs<WireFrame>,
    @Inject(CHAT_HUBS) private readonly chatHubs: StreamHubs<WireFrame>,
    private readonly graphql: GraphqlEndpoint,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_INBOUND_FRAME_BYTES,
      perMessageDeflate: perMessageDeflateOptions(websocket.deflate),
      clientTracking: false,
    });
  }

  onApplicationBootstrap(): void {
    this.server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.server.on('upgrade', this.listener);
  }

  onApplicationShutdown(): void {
    this.server?.off('upgrade', this.listener);
    this.wss.close();
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = routeOf(url.pathname);
    const scope = this.faultScope(req, route.kind, url.pathname);
    // Socket.IO's upgrades too: engine.io leaves the socket unguarded while it checks the request.
    guardUpgradeSocket(socket, scope);
    const { enabled } = this.websocket;
    if (route.kind === 'socketio' && enabled) return;
    if (route.kind === 'unknown') return this.refuseUnclaimed(socket, url.pathname);
    if (!enabled)
      return refuseUpgrade(socket, 503, {
        error_code: 'WEBSOCKET_DISABLED',
        message: 'WebSocket is disabled on this server',
      });
    if (route.kind === 'socketio') return;
    if (!handshakeOriginAllowed(req, this.http)) return refuseUpgrade(socket, 403, originRefusal(req, this.http));
    if (this.connections.stopping)
      return refuseUpgrade(
        socket,
        503,
        { error_code: 'SHUTTING_DOWN', message: 'this server is restarting; reconnect shortly' },
        { 'Retry-After': '1' },
      );
    const parsed = parseUpgradeQuery(url, req.headers.authorization);
    if ('problem' in parsed)
      return refuseUpgrade(socket, 400, { error_code: 'VALIDATION_ERROR', message: parsed.problem });
    void this.accept(req, socket, head, route, parsed.query, scope);
  }

  private faultScope(req: IncomingMessage, endpoint: string, path: string): FaultScope {
    return {
      logger: this.runtime.logger,
      metrics: this.runtime.metrics,
      endpoint,
      path,
      ip: clientIp(req, this.http),
    };
  }

  /** The address's request budget, as over HTTP; a refusal is answered before the handshake. */
  private async withinBudget(req: IncomingMessage, socket: Duplex): Promise<boolean> {
    const refusal = await this.limiter.refusalOf(req, this.http);
    if (refusal) refuseUpgrade(socket, refusal.status, refusal.body, refusal.headers);
    return refusal === null;
  }

  /**
   * Another 'upgrade' listener on this server may own the path: answer 404 only if, by the
   * next turn of the event loop, none has written to the socket or closed it.
   */
  private refuseUnclaimed(socket: Duplex, pathname: string): void {
    const written = (): number => (socket as Partial<Socket>).bytesWritten ?? 0;
    const check = (): void => {
      if (!socket.destroyed && written() === 0)
        refuseUpgrade(socket, 404, { error_code: 'NOT_FOUND', message: `no WebSocket endpoint at ${pathname}` });
    };
    if ((this.server?.listenerCount('upgrade') ?? 1) > 1) setImmediate(check);
    else check();
  }

  private async accept(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    route: Endpoint,
    query: UpgradeQuery,
    scope: FaultScope,
  ): Promise<void> {
    if (!(await this.withinBudget(req, socket))) return;
    if (route.kind === 'graphql') return this.acceptGraphql(req, socket, head, query, scope);
    let admission: Admission;
    try {
      admission = await admit(this.authenticator, route.kind, query.token);
    } catch (error) {
      this.runtime.logger.error(
        { err: error, path: req.url?.split('?')[0] },
        'websocket authentication failed unexpectedly',
      );
      admission = { ok: false, error: new ApiError(500, 'INTERNAL_ERROR', 'unexpected server error') };
    }
    const slot = admission.ok ? this.holdSlot(req, admission.principal, route.kind) : null;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (!admission.ok || slot === null || 'refused' in slot) {
        guardWebSocket(ws, scope);
        return this.refuse(ws, req, admission.ok ? (slot as { refused: ApiError }).refused : admission.error);
      }
      ws.once('close', slot.release);
      const peer = new WsPeer(ws, socket, {
        kind: route.kind,
        principal: admission.principal,
        correlationId: requestIdsOf(req).correlationId,
        batching: route.kind === 'general',
        websocket: this.websocket,
        logger: this.runtime.logger,
        timers: this.timers,
      });
      guardWebSocket(ws, scope, peer.id);
      ws.once(
        'close',
        this.connections.add(peer, () => peer.stats()),
      );
      peer.refreshToken = (token) => this.connections.refresh(peer.id, token);
      if (this.connections.stopping) return peer.close(WS_CLOSE.SERVICE_RESTART, 'service restart: reconnect shortly');
      this.serve(ws, peer, route, query, clientIp(req, this.http));
    });
  }

  private acceptGraphql(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    query: UpgradeQuery,
    scope: FaultScope,
  ): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      guardWebSocket(ws, scope);
      serveGraphql(ws, socket, {
        endpoint: this.graphql,
        authenticator: this.authenticator,
        connections: this.connections,
        timers: this.timers,
        websocket: this.websocket,
        logger: this.runtime.logger,
        correlationId: requestIdsOf(req).correlationId,
        upgradeToken: query.token,
        holdSlot: (principal) => this.holdSlot(req, principal, 'graphql'),
        noteRefusal: (error) => this.noteRefusal(req, error),
      });
    });
  }

  /** A WebSocket holds a stream slot for its whole life, as an SSE stream does. */
  private holdSlot(
    req: IncomingMessage,
    principal: Principal,
    kind: Endpoint['kind'],
  ): { release: () => void } | { refused: ApiError } {
    try {
      return { release: this.gate.admit(req, principal, 'websocket', `/ws/${kind}`) };
    } catch (error) {
      if (error instanceof ApiError) return { refused: error };
      throw error;
    }
  }

  private serve(ws: WebSocket, peer: WsPeer, route: Endpoint, query: UpgradeQuery, ip: string): void {
    const { logger, metrics } = this.runtime;
    const watch = { investigations: this.investigations, investigationHubs: this.investigationHubs, logger, metrics };
    switch (route.kind) {
      case 'general':
        return serveGeneral(ws, peer, query.connectionType, { ...watch, chat: this.chat, chatHubs: this.chatHubs });
      case 'investigations':
        return serveInvestigation(ws, peer, route.investigationId, query.lastEventId ?? 0, watch);
      case 'graphql':
        throw new Error('graphql connections are served by acceptGraphql');
      case 'chat':
        return serveChat(ws, peer, route.sessionId, query, this.chatDeps.for(ip));
      default: {
        const unknown: never = route;
        throw new Error(`unknown route ${JSON.stringify(unknown)}`);
      }
    }
  }

  private refuse(ws: WebSocket, req: IncomingMessage, error: ApiError): void {
    const { message } = errorFrom(error);
    this.noteRefusal(req, error);
    ws.send(JSON.stringify(message));
    ws.close(closeCodeOf(error), closeReason(`${error.code}: ${error.message}`));
  }

  /** The audit trail of refused connections: who, from where, why (never the token). */
  private noteRefusal(req: IncomingMessage, error: ApiError): void {
    this.runtime.logger.warn(
      {
        audit: 'websocket_refused',
        path: req.url?.split('?')[0],
        ip: clientIp(req, this.http),
        user_agent: req.headers['user-agent'],
        error_code: error.code,
        status: error.status,
      },
      `websocket connection refused: ${error.code}`,
    );
    if (error.status === 401) void this.audit.webSocketTokenRejected(req, error.code, error.message);
  }
}
