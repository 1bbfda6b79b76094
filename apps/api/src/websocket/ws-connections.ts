import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import {
  AuthError,
  AuthUnavailableError,
  type Authenticator,
  type Runtime,
  type TimerWheel,
  type TokenRevocations,
} from '#platform';
import { ShutdownRegistry } from '../lifecycle/shutdown-registry.js';
import { AUTHENTICATOR, RUNTIME, TIMER_WHEEL, TOKEN_REVOCATIONS } from '../tokens.js';
import type { Peer, PeerKind, PeerStats } from './peer.js';
import { errorMessage, WS_CLOSE, type OutboundMessage } from './ws-messages.js';
import { refusalOf, TokenExpiry } from './token-expiry.js';

interface Tracked {
  readonly peer: Peer;
  readonly stats: () => PeerStats;
  readonly expiry: TokenExpiry | null;
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
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    @Inject(TIMER_WHEEL) private readonly wheel: TimerWheel,
  ) {}

  onModuleInit(): void {
    // Socket.IO clients see the labels too before the first one connects.
    for (const kind of [
      'general',
      'chat',
      'investigations',
      'graphql',
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
    const { expiresAt } = peer.principal;
    const expiry = expiresAt === undefined ? null : new TokenExpiry(peer, expiresAt);
    if (expiry) this.wheel.schedule(expiry, expiry.delayFrom(Date.now()));
    this.open.set(peer.id, { peer, stats, expiry });
    this.runtime.metrics.websocketConnectionsActive.inc({ type: peer.kind });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (expiry) this.wheel.cancel(expiry);
      this.open.delete(peer.id);
      this.runtime.metrics.websocketConnectionsActive.dec({ type: peer.kind });
    };
  }

  /**
   * A fresh token sent on an open connection (`{"type":"auth","token"}`, Socket.IO `auth`):
   * for the same user, it moves the connection's expiry to the new token's.
   */
  async refresh(peerId: string, token: unknown): Promise<OutboundMessage> {
    const tracked = this.open.get(peerId);
    if (!tracked) return errorMessage('NOT_CONNECTED', 'the connection is closing');
    if (typeof token !== 'string' || token.length === 0 || token.length > 16_384)
      return errorMessage('VALIDATION_ERROR', 'invalid auth message: token must be a non-empty string');
    try {
      const fresh = await this.authenticator.authenticate(token);
      const refusal = refusalOf(tracked.peer.principal, fresh);
      if (refusal !== null) return errorMessage('AUTH_MISMATCH', refusal);
      const { expiry } = tracked;
      if (expiry && fresh.expiresAt === undefined) this.wheel.cancel(expiry);
      if (expiry && fresh.expiresAt !== undefined) {
        expiry.expiresAt = Math.max(expiry.expiresAt, fresh.expiresAt);
        this.wheel.schedule(expiry, expiry.delayFrom(Date.now()));
      }
      const expiresAt = fresh.expiresAt === undefined ? null : new Date(fresh.expiresAt * 1000).toISOString();
      return { type: 'auth', status: 'ok', expires_at: expiresAt };
    } catch (error) {
      if (error instanceof AuthError) return errorMessage(error.code, error.message);
      if (error instanceof AuthUnavailableError)
        return errorMessage('AUTH_UNAVAILABLE', error.message, { retry_after: 5 });
      throw error;
    }
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
