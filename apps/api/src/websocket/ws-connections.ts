import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Runtime } from '#platform';
import { ShutdownRegistry } from '../lifecycle/shutdown-registry.js';
import { RUNTIME } from '../tokens.js';
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
export class WsConnections implements OnModuleInit {
  private readonly open = new Map<string, Tracked>();

  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly shutdown: ShutdownRegistry,
  ) {}

  onModuleInit(): void {
    // Socket.IO clients see the labels too before the first one connects.
    for (const kind of ['general', 'chat', 'investigations', 'socketio_chat', 'socketio_investigations'] satisfies PeerKind[]) {
      this.runtime.metrics.websocketConnectionsActive.inc({ type: kind }, 0);
    }
    this.shutdown.register('websockets', () => this.closeAll(WS_CLOSE.SERVICE_RESTART, 'service restart: reconnect and resume with your last event id'));
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
