import type { WebSocket } from 'ws';
import { hasPermission } from '#platform';
import { chatStreamId } from '#chat';
import type { StreamHubs } from '#eventsourcing';
import type { ChatService } from '../chat/chat.service.js';
import type { WireFrame } from '../streaming/wire-frame.js';
import { InvestigationWatch, type WatchDeps, type WatchEnd } from './investigation-watch.js';
import { PeerStream } from './peer-stream.js';
import { reportFailure } from './peer.js';
import { taggedWriter } from './tagged-frames.js';
import { readInbox, type Inbound } from './ws-inbound.js';
import { errorMessage, WS_CLOSE } from './ws-messages.js';
import type { WsPeer } from './ws-peer.js';

/** Streams one connection may follow at once: each holds a live subscription. */
export const MAX_SUBSCRIPTIONS = 100;

export interface GeneralDeps extends WatchDeps {
  readonly chatHubs: StreamHubs<WireFrame>;
  readonly chat: ChatService;
}

interface Subscription {
  readonly lastDeliveredId: number;
  start(afterId: number): void;
  stop(): void;
}

type Echo = Readonly<Record<string, unknown>>;

/**
 * /api/v1/ws: multiplexed subscriptions. `subscribe` to `investigation:<id>` or
 * `chat:<session>` (with `last_event_id` to resume, and `session_token` for a session
 * started without signing in), `unsubscribe`, `ping`. Every event
 * comes tagged with its `stream` and `id`, batched (see MessageBatcher).
 */
export function serveGeneral(ws: WebSocket, peer: WsPeer, connectionType: string, deps: GeneralDeps): void {
  const session = new GeneralSession(peer, deps);
  readInbox(
    ws,
    peer,
    ['ping', 'subscribe', 'unsubscribe'],
    (message) => {
      const echo = message.request_id === undefined ? {} : { request_id: message.request_id };
      if (message.type === 'ping') return peer.send({ type: 'pong', ...echo });
      if (message.type === 'subscribe') return session.subscribe(message, echo);
      return session.unsubscribe(message.stream, echo);
    },
    deps.logger,
  );
  ws.once('close', () => session.stop());
  peer.send({ type: 'connected', connection_id: peer.id, connection_type: connectionType, user_id: peer.principal.id });
  peer.flush();
}

class GeneralSession {
  private readonly subscriptions = new Map<string, Subscription>();

  constructor(
    private readonly peer: WsPeer,
    private readonly deps: GeneralDeps,
  ) {}

  /** Subscribing again to a followed stream restarts it: after `last_event_id`, else after what it delivered. */
  subscribe(message: Inbound<'subscribe'>, echo: Echo): void {
    const { stream } = message;
    const existing = this.subscriptions.get(stream);
    existing?.stop();
    if (!existing && this.subscriptions.size >= MAX_SUBSCRIPTIONS) {
      return this.peer.send(
        errorMessage('TOO_MANY_SUBSCRIPTIONS', `at most ${MAX_SUBSCRIPTIONS} streams per connection`, {
          stream,
          ...echo,
        }),
      );
    }
    const subscription = this.open(stream, message.session_token);
    if (!subscription) {
      this.subscriptions.delete(stream);
      return this.peer.send(
        errorMessage(
          'FORBIDDEN',
          `investigation:watch is not granted to ${this.peer.principal.roles.join(', ') || 'no role'}`,
          { stream, ...echo },
        ),
      );
    }
    this.subscriptions.set(stream, subscription);
    const afterId = message.last_event_id ?? existing?.lastDeliveredId ?? 0;
    this.peer.send({ type: 'subscribed', stream, last_event_id: afterId, ...echo });
    subscription.start(afterId);
  }

  unsubscribe(stream: string, echo: Echo): void {
    this.subscriptions.get(stream)?.stop();
    const known = this.subscriptions.delete(stream);
    this.peer.send({ type: 'unsubscribed', stream, reason: known ? 'requested' : 'not_subscribed', ...echo });
  }

  stop(): void {
    for (const subscription of this.subscriptions.values()) subscription.stop();
    this.subscriptions.clear();
  }

  /**
   * The subscription behind a stream name, or null when the caller may not watch
   * investigations at all. A chat session the caller may not read fails its stream with
   * SESSION_NOT_FOUND, as an investigation they may not see does with its 404.
   */
  private open(stream: string, sessionToken: string | undefined): Subscription | null {
    const [kind, id = ''] = stream.split(':');
    // Each frame's tagged text is made once for every socket following the stream.
    const writer = taggedWriter(this.peer, stream);
    const onEnd = (end: WatchEnd): void => this.ended(stream, end);
    if (kind === 'chat') {
      const principal = this.peer.principal;
      return new PeerStream(this.peer, this.deps.chatHubs, {
        // Each start and resume asks again; a session never ends.
        open: async (afterId) => {
          await this.deps.chat.sessions.openForReading(id, { principal, sessionToken });
          return { streamId: chatStreamId(id), after: afterId };
        },
        writer,
        onEnd: (end) => onEnd(end.kind === 'failed' ? end : { kind: 'interrupted' }),
      });
    }
    if (!hasPermission(this.peer.principal, 'investigation:watch')) return null;
    return new InvestigationWatch(this.peer, id, this.deps, writer, onEnd);
  }

  /** A finished stream says so; one cut by a shutdown ends the connection (1012), so the client resubscribes elsewhere. */
  private ended(stream: string, end: WatchEnd): void {
    this.subscriptions.delete(stream);
    if (this.peer.closed) return;
    if (end.kind === 'finished') this.peer.send({ type: 'unsubscribed', stream, reason: 'ended' });
    else if (end.kind === 'interrupted')
      this.peer.close(WS_CLOSE.SERVICE_RESTART, 'service restart: reconnect and resubscribe with your last event ids');
    else reportFailure(this.peer, end.error, this.deps, { stream });
  }
}
