import type { Socket } from 'socket.io';
import { z } from 'zod';
import { entityIdSchema } from '#eventsourcing';
import { eventIdValueSchema } from '#platform';
import { cancelInvestigation, InvestigationWatch, type WatchDeps, type WatchEnd } from '../investigation-watch.js';
import { reportFailure } from '../peer.js';
import { errorMessage, WS_CLOSE, type OutboundMessage } from '../ws-messages.js';
import type { IoPeer } from './io-peer.js';

const MAX_WATCHES = 100;
const investigationId = entityIdSchema;
export const subscribeSchema = z.object({
  investigation_id: investigationId,
  last_event_id: eventIdValueSchema.optional(),
});
export const targetSchema = z.object({ investigation_id: investigationId, reason: z.string().max(500).optional() });

export const roomOf = (id: string): string => `investigation:${id}`;

/**
 * One Socket.IO client of /investigations: a room and a watch per investigation it
 * follows, each resumable from its own last event id.
 */
export class IoInvestigationsClient {
  private readonly watches = new Map<string, InvestigationWatch>();

  constructor(
    private readonly socket: Socket,
    private readonly peer: IoPeer,
    private readonly deps: WatchDeps,
  ) {}

  subscribe(id: string, afterId: number | undefined): OutboundMessage {
    const existing = this.watches.get(id);
    existing?.stop();
    if (!existing && this.watches.size >= MAX_WATCHES)
      return errorMessage('TOO_MANY_SUBSCRIPTIONS', `at most ${MAX_WATCHES} investigations per connection`, {
        investigation_id: id,
      });
    const watch = new InvestigationWatch(this.peer, id, this.deps, this.peer.frames, (end) => this.ended(id, end));
    this.watches.set(id, watch);
    void this.socket.join(roomOf(id));
    const from = afterId ?? existing?.lastDeliveredId ?? 0;
    watch.start(from);
    return { type: 'subscribed', investigation_id: id, last_event_id: from };
  }

  unsubscribe(id: string): OutboundMessage {
    const watch = this.watches.get(id);
    watch?.stop();
    this.watches.delete(id);
    void this.socket.leave(roomOf(id));
    return { type: 'unsubscribed', investigation_id: id, reason: watch ? 'requested' : 'not_subscribed' };
  }

  cancel(id: string, reason: string | undefined): Promise<OutboundMessage> {
    return cancelInvestigation(this.peer, this.deps.investigations, id, reason);
  }

  stop(): void {
    for (const watch of this.watches.values()) watch.stop();
    this.watches.clear();
  }

  private ended(id: string, end: WatchEnd): void {
    this.watches.delete(id);
    void this.socket.leave(roomOf(id));
    if (this.peer.closed) return;
    if (end.kind === 'finished') this.peer.send({ type: 'unsubscribed', investigation_id: id, reason: 'ended' });
    else if (end.kind === 'interrupted')
      this.peer.close(WS_CLOSE.SERVICE_RESTART, 'service restart: reconnect and resume with your last event id');
    else reportFailure(this.peer, end.error, this.deps, { investigation_id: id });
  }
}
