import type { Observable } from 'rxjs';
import { hasPermission, StreamPump, type Logger, type Metrics } from '#platform';
import type { InvestigationsService } from '../investigations/investigations.service.js';
import type { Peer } from './peer.js';
import { investigationItems, type StreamItem } from './stream-items.js';
import { errorFrom, errorMessage, type OutboundMessage } from './ws-messages.js';

export type WatchEnd =
  | { readonly kind: 'finished' }
  | { readonly kind: 'interrupted' }
  | { readonly kind: 'failed'; readonly error: unknown };

export interface WatchDeps {
  readonly investigations: InvestigationsService;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** Builds the pump that carries one stream's items to a peer; shared by every endpoint. */
export function pumpTo(
  peer: Peer,
  source: (afterId: number) => Observable<StreamItem>,
  decorate: (message: OutboundMessage) => OutboundMessage,
  onEnd: (end: WatchEnd, last: StreamItem | null) => void,
): StreamPump<StreamItem> {
  return new StreamPump<StreamItem>({
    source,
    deliver: (item) => peer.send(decorate(item.message)),
    overloaded: () => peer.overloaded(),
    whenDrained: (resume) => peer.whenDrained(resume),
    onPause: () => peer.notePause(),
    onComplete: (last) => onEnd(last?.final ? { kind: 'finished' } : { kind: 'interrupted' }, last),
    onError: (error) => onEnd({ kind: 'failed', error }, null),
  });
}

/**
 * One investigation followed by one peer, with its commands: `resume` restarts after the
 * id the client names, `cancel` sends CancelInvestigation as POST …/cancel does.
 */
export class InvestigationWatch {
  private readonly pump: StreamPump<StreamItem>;

  constructor(
    private readonly peer: Peer,
    readonly investigationId: string,
    private readonly deps: WatchDeps,
    decorate: (message: OutboundMessage) => OutboundMessage,
    onEnd: (end: WatchEnd) => void,
  ) {
    const source = investigationItems(deps.investigations, investigationId, peer.principal);
    this.pump = pumpTo(peer, source, decorate, (end) => void this.settle(end).then(onEnd));
  }

  get lastDeliveredId(): number {
    return this.pump.lastDeliveredId;
  }

  start(afterId: number): void {
    this.pump.startAfter(afterId);
  }

  stop(): void {
    this.pump.stop();
  }

  cancel(reason: string | undefined, extra: Record<string, unknown> = {}): Promise<OutboundMessage> {
    return cancelInvestigation(this.peer, this.deps.investigations, this.investigationId, reason, extra);
  }

  /**
   * A stream that ended without its terminal event was cut by the live feed closing
   * (shutdown), unless the client resumed past the end of a finished investigation.
   */
  private async settle(end: WatchEnd): Promise<WatchEnd> {
    if (end.kind !== 'interrupted') return end;
    try {
      const summary = await this.deps.investigations.get(this.investigationId, this.peer.principal);
      const finished = summary.status === 'completed' || summary.status === 'failed' || summary.status === 'cancelled';
      return finished && summary.last_event_id <= this.pump.lastDeliveredId ? { kind: 'finished' } : end;
    } catch {
      return end;
    }
  }
}

/** CancelInvestigation, as POST …/cancel sends it: the ack, or the error the HTTP route would answer. */
export async function cancelInvestigation(
  peer: Peer,
  investigations: InvestigationsService,
  investigationId: string,
  reason: string | undefined,
  extra: Record<string, unknown> = {},
): Promise<OutboundMessage> {
  const { principal } = peer;
  if (!hasPermission(principal, 'investigation:cancel')) {
    return errorMessage(
      'FORBIDDEN',
      `investigation:cancel is not granted to ${principal.roles.join(', ') || 'no role'}`,
      { investigation_id: investigationId, ...extra },
    );
  }
  try {
    await investigations.cancel(
      investigationId,
      { userId: principal.id, correlationId: peer.correlationId, principal },
      reason ?? 'cancelled over WebSocket',
    );
    return { type: 'ack', command: 'cancel', investigation_id: investigationId, ...extra };
  } catch (error) {
    return errorFrom(error, { investigation_id: investigationId, ...extra }).message;
  }
}
