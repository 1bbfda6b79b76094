import type { WebSocket } from 'ws';
import type { StreamHubs } from '#eventsourcing';
import { isFinishedStatus } from '#investigations';
import { hasPermission, type Logger, type Metrics } from '#platform';
import { isFinalFrame } from '../investigations/investigation-frames.js';
import type { InvestigationsService } from '../investigations/investigations.service.js';
import type { WireFrame } from '../streaming/wire-frame.js';
import type { FrameWriter } from './frame-writer.js';
import { endWithStream, type Peer } from './peer.js';
import { PeerStream, type SinkEnd } from './peer-stream.js';
import { readInbox } from './ws-inbound.js';
import { errorFrom, errorMessage, type OutboundMessage } from './ws-messages.js';
import type { WsPeer } from './ws-peer.js';

export type WatchEnd =
  | { readonly kind: 'finished' }
  | { readonly kind: 'interrupted' }
  | { readonly kind: 'failed'; readonly error: unknown };

export interface WatchDeps {
  readonly investigations: InvestigationsService;
  readonly investigationHubs: StreamHubs<WireFrame>;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/**
 * One investigation followed by one peer on the investigation's hub, with its commands:
 * `resume` restarts after the id the client names, `cancel` sends CancelInvestigation as
 * POST …/cancel does. `writer` writes frames in the peer's form.
 */
export class InvestigationWatch {
  private readonly stream: PeerStream<WireFrame>;

  constructor(
    private readonly peer: Peer,
    readonly investigationId: string,
    private readonly deps: WatchDeps,
    writer: FrameWriter<WireFrame>,
    onEnd: (end: WatchEnd) => void,
  ) {
    this.stream = new PeerStream(peer, deps.investigationHubs, {
      open: (afterId) => deps.investigations.watch(investigationId, afterId, peer.principal),
      writer,
      onEnd: (end, last) => void this.settle(end, last).then(onEnd),
    });
  }

  get lastDeliveredId(): number {
    return this.stream.lastDeliveredId;
  }

  start(afterId: number): void {
    this.stream.start(afterId);
  }

  stop(): void {
    this.stream.stop();
  }

  cancel(reason: string | undefined, extra: Record<string, unknown> = {}): Promise<OutboundMessage> {
    return cancelInvestigation(this.peer, this.deps.investigations, this.investigationId, reason, extra);
  }

  /**
   * A stream that ended without its terminal event was cut by the live feed closing
   * (shutdown), unless the client resumed past the end of a finished investigation.
   */
  private async settle(end: SinkEnd, last: WireFrame | null): Promise<WatchEnd> {
    if (end.kind === 'failed') return end;
    if (last && isFinalFrame(last)) return { kind: 'finished' };
    try {
      const summary = await this.deps.investigations.get(this.investigationId, this.peer.principal);
      return isFinishedStatus(summary.status) && summary.last_event_id <= this.stream.lastDeliveredId
        ? { kind: 'finished' }
        : { kind: 'interrupted' };
    } catch {
      return { kind: 'interrupted' };
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

/**
 * /api/v1/ws/investigations/{id}: the SSE stream's messages (`progress`, `phase`,
 * `anomaly`, `complete`…) each with its `id`; commands in: `cancel`, `resume` with
 * `last_event_id`, `ping`. Closes with 1000 after the terminal event.
 */
export function serveInvestigation(
  ws: WebSocket,
  peer: WsPeer,
  investigationId: string,
  afterId: number,
  deps: WatchDeps,
): void {
  const watch = new InvestigationWatch(peer, investigationId, deps, peer.frames, (end) =>
    endWithStream(peer, end, deps, 'investigation finished'),
  );
  readInbox(
    ws,
    peer,
    ['ping', 'cancel', 'resume'],
    async (message) => {
      const echo = message.request_id === undefined ? {} : { request_id: message.request_id };
      switch (message.type) {
        case 'ping':
          return peer.send({ type: 'pong', ...echo });
        case 'cancel':
          return peer.send(await watch.cancel(message.reason, echo));
        case 'resume':
          // The ack goes first: everything after it is the stream after last_event_id.
          peer.send({
            type: 'ack',
            command: 'resume',
            investigation_id: investigationId,
            last_event_id: message.last_event_id,
            ...echo,
          });
          return watch.start(message.last_event_id);
        default: {
          const unknown: never = message;
          throw new Error(`unhandled message ${JSON.stringify(unknown)}`);
        }
      }
    },
    deps.logger,
  );
  ws.once('close', () => watch.stop());
  watch.start(afterId);
}
