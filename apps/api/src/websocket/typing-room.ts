import type { Observable, Subscription } from 'rxjs';
import type { PresenceSignal } from '#platform';
import { WireFrame, type WsMessage } from '../streaming/wire-frame.js';
import type { Peer } from './peer.js';

/** A typing message goes out as the signal's payload says, with no resume id. */
const asIs = (_id: number, message: WsMessage): WsMessage => message;

/**
 * The chat participants of one session on this process that see others typing: one
 * presence subscription for all of them, each signal encoded once (`typing` with its
 * payload) and written to every participant but the one who sent it.
 */
export class TypingRoom {
  private readonly peers = new Set<Peer>();
  private subscription: Subscription | null = null;
  private closed = false;

  constructor(
    signals: Observable<PresenceSignal>,
    private readonly onClose: () => void,
  ) {
    const subscription = signals.subscribe({
      next: (signal) => this.deliver(signal),
      complete: () => this.close(),
      error: () => this.close(),
    });
    if (this.closed) subscription.unsubscribe();
    else this.subscription = subscription;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Adds `peer`; the returned function takes it out, and the room closes with its last peer. */
  add(peer: Peer): () => void {
    this.peers.add(peer);
    return () => {
      this.peers.delete(peer);
      if (this.peers.size === 0) this.close();
    };
  }

  private deliver(signal: PresenceSignal): void {
    const frames = [new WireFrame(0, { type: 'typing', ...signal.payload }, asIs)];
    // A typing indicator is stale by the time a slow reader would get it: it is not kept for one.
    for (const peer of this.peers)
      if (peer.id !== signal.origin && !peer.closed && !peer.overloaded()) peer.frames.write(frames);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.subscription?.unsubscribe();
    this.onClose();
  }
}
