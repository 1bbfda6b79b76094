import { Inject, Injectable } from '@nestjs/common';
import type { Socket } from 'socket.io';
import type { Authenticator, HttpSettings, Principal, Runtime, WebSocketSettings } from '#platform';
import { AuditRecorder } from '../../audit/audit-recorder.js';
import { requestIdsOf } from '../../http/request-ids.js';
import { StreamGate } from '../../limits/stream-gate.js';
import { AUTHENTICATOR, RUNTIME, SETTINGS } from '../../tokens.js';
import { PeerTimers, type PeerKind } from '../peer.js';
import { WsConnections } from '../ws-connections.js';
import { answerUnknownEvents } from './io-body.js';
import { authenticateHandshake } from './io-handshake.js';
import { IoPeer } from './io-peer.js';

type Middleware = ReturnType<typeof authenticateHandshake>;

/** How every Socket.IO namespace admits a client: the handshake checked, then a tracked peer. */
@Injectable()
export class IoPeers {
  private readonly principals = new WeakMap<Socket, Principal>();

  constructor(
    @Inject(RUNTIME) private readonly runtime: Pick<Runtime, 'logger'>,
    @Inject(SETTINGS.http) private readonly http: HttpSettings,
    @Inject(SETTINGS.websocket) private readonly websocket: WebSocketSettings,
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    private readonly connections: WsConnections,
    private readonly audit: AuditRecorder,
    private readonly gate: StreamGate,
    private readonly timers: PeerTimers,
  ) {}

  /** The namespace's middleware: token, stream slot, then `check` of the ids the handshake names. */
  handshake(route: 'chat' | 'investigations', check: (socket: Socket) => void): Middleware {
    const { authenticator, connections, http, principals, audit, gate } = this;
    const { logger } = this.runtime;
    return authenticateHandshake(route, { authenticator, connections, logger, http, principals, audit, gate, check });
  }

  /**
   * The peer of a connected socket, tracked until it disconnects and answering events
   * other than `known` with an error; null, and the socket dropped, without a handshake.
   */
  accept(socket: Socket, kind: PeerKind, known: readonly string[]): IoPeer | null {
    const principal = this.principals.get(socket);
    if (!principal) {
      socket.disconnect(true);
      return null;
    }
    const { correlationId } = requestIdsOf(socket.request);
    const peer = new IoPeer(socket, kind, principal, correlationId, this.websocket, this.timers);
    socket.once(
      'disconnect',
      this.connections.add(peer, () => peer.stats()),
    );
    answerUnknownEvents(socket, peer, known);
    return peer;
  }
}
