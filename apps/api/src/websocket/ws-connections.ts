import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import type { Runtime, TokenRevocations } from '#platform';
import { ShutdownRegistry } from '../lifecycle/shutdown-registry.js';
import { RUNTIME, TOKEN_REVOCATIONS } from '../tokens.js';
import type { Peer, PeerKind, PeerStats } from './peer.js';
import { WS_CLOSE } from './ws-messages.js';

interface Tracked {
  readonly peer: Peer;
  readonly stats: () => PeerStats;
}

/**
 * Every open WebSocket and Socket.IO client of this process: the gauge
 * websocket_connections_active{type}, and the shutdown hook that closes them all with 1012
 * so they reconnect to another process and resume from their last event id.
 */
@Injectable()
export class WsConnections implements OnModuleInit, OnModuleDestroy {
  private readonly open = new Map<string, Tracked>();
  private revocationsWatch: Subscription | null = null;

  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly shutdown: ShutdownRegistry,
    @Inject(TOKEN_REVOCATIONS) private readonly revocations: TokenRevocations,
  ) {}

  onModuleInit(): void {
    // Socket.IO clients see the labels too before the first one connects.
    for (const kind of [
      'general',
      'chat',
      'investigations',
      'socketio_chat',
      'socketio_investigations',
    ] satisfies PeerKind[]) {
      this.runtime.metrics.websocketConnectionsActive.inc({ type: kind }, 0);
    }
    this.shutdown.register('websockets', () =>
      this.closeAll(WS_CLOSE.SERVICE_RESTART, 'service restart: reconnect and resume with your last event id'),
    );
    // A revoked token must not keep a connection it opened earlier, on this process or any other.
    this.revocationsWatch = this.revocations.revoked$.subscribe(({ userId }) => this.closeRevoked(userId));
  }

  onModuleDestroy(): void {
    this.revocationsWatch?.unsubscribe();
  }

  /** Closes (1008) every connection of `userId` whose token the revocation list now refuses. */
  private closeRevoked(userId: string): void {
    for (const { peer } of [...this.open.values()]) {
      if (peer.principal.id === userId && this.revocations.isRevoked(peer.principal))
        peer.close(WS_CLOSE.POLICY, 'token revoked: obtain a new token and reconnect');
    }
  }

  /** True once shutdown began: new connections are refused. */
  get stopping(): boolean {
    return this.shutdown.stopping;
  }

  /** Tracks `peer` until the returned release is called (once, on close). */
  add(peer: Peer, stats: () => PeerStats): () => void {
    this.open.set(peer.id, { peer, stats });
    this.runtime.metrics.websocketConnectionsActive.inc({ type: peer.kind });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open.delete(peer.id);
      this.runtime.metrics.websocketConnectionsActive.dec({ type: peer.kind });
    };
  }

  count(kind?: PeerKind): number {
    let n = 0;
    for (const { peer } of this.open.values()) if (kind === undefined || peer.kind === kind) n++;
    return n;
  }

  stats(): PeerStats[] {
    return [...this.open.values()].map((t) => t.stats());
  }

  closeAll(code: number, reason: string): void {
    for (const { peer } of [...this.open.values()]) peer.close(code, reason);
  }
}
