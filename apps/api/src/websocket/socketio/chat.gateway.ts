import { Inject } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { z } from 'zod';
import type {
  Authenticator,
  ChatSettings,
  HttpSettings,
  Principal,
  RateLimitSettings,
  Runtime,
  WebSocketSettings,
} from '#platform';
import { sessionIdSchema } from '../../chat/chat-request.dto.js';
import { ChatService } from '../../chat/chat.service.js';
import { ApiError } from '../../http/api-error.js';
import { requestIdsOf } from '../../http/request-ids.js';
import { clientIp } from '../../http/client-ip.js';
import { RateLimiter } from '../../limits/rate-limiter.js';
import { AUTHENTICATOR, RUNTIME, SETTINGS } from '../../tokens.js';
import { ChatParticipant } from '../chat-participant.js';
import { ChatWsHubs } from '../chat-ws.projection.js';
import { Presence } from '../presence.js';
import { endWithStream, reportFailure } from '../peer.js';
import { AuditRecorder } from '../../audit/audit-recorder.js';
import { StreamGate } from '../../limits/stream-gate.js';
import { PeerTimers } from '../peer.js';
import { WsConnections } from '../ws-connections.js';
import { closeCodeFor, errorMessage, type OutboundMessage } from '../ws-messages.js';
import { answerUnknownEvents, tokenOf, parseBody } from './io-body.js';
import { authenticateHandshake, handshakeLastEventId, handshakeValue } from './io-handshake.js';
import { IoPeer } from './io-peer.js';

const messageSchema = z.object({ content: z.unknown(), agent_id: z.unknown().optional() });
const typingSchema = z.object({ is_typing: z.boolean().default(true) }).default({ is_typing: true });

function sessionOf(socket: Socket): string {
  const raw = handshakeValue(socket, 'sessionId', 'session_id');
  const parsed = sessionIdSchema.safeParse(raw);
  if (!parsed.success)
    throw new ApiError(
      400,
      'VALIDATION_ERROR',
      'auth.sessionId (or ?session_id=) must name the chat session: 1-128 letters, digits, _ or -',
    );
  return parsed.data;
}

/**
 * Socket.IO namespace /chat: `auth: {token?, sessionId, sessionToken?, lastEventId?}`
 * (`sessionToken`: the secret of a session started without signing in); one room per
 * session; the same events as the raw chat WebSocket (`history`, `user_message`,
 * `agent_status`, `agent_response`, `typing`); `message` and `typing` in.
 */
@WebSocketGateway({ namespace: '/chat' })
export class ChatGateway implements OnGatewayInit<Namespace>, OnGatewayConnection<Socket>, OnGatewayDisconnect<Socket> {
  /** The namespace, with a room per session (`chat:<id>`). */
  @WebSocketServer() readonly namespace!: Namespace;
  private readonly principals = new WeakMap<Socket, Principal>();
  private readonly participants = new Map<string, ChatParticipant>();

  constructor(
    @Inject(RUNTIME) private readonly runtime: Pick<Runtime, 'logger' | 'metrics'>,
    @Inject(SETTINGS.http) private readonly http: HttpSettings,
    @Inject(SETTINGS.websocket) private readonly websocket: WebSocketSettings,
    @Inject(SETTINGS.rateLimits) private readonly rateLimits: RateLimitSettings,
    @Inject(SETTINGS.chat) private readonly chatSettings: ChatSettings,
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    private readonly chatWs: ChatWsHubs,
    private readonly chat: ChatService,
    private readonly presence: Presence,
    private readonly limiter: RateLimiter,
    private readonly connections: WsConnections,
    private readonly audit: AuditRecorder,
    private readonly gate: StreamGate,
    private readonly timers: PeerTimers,
  ) {}

  afterInit(namespace: Namespace): void {
    const check = (socket: Socket): void => {
      sessionOf(socket);
      handshakeLastEventId(socket);
    };
    namespace.use(
      authenticateHandshake('chat', {
        authenticator: this.authenticator,
        connections: this.connections,
        logger: this.runtime.logger,
        http: this.http,
        principals: this.principals,
        audit: this.audit,
        gate: this.gate,
        check,
      }),
    );
  }

  handleConnection(socket: Socket): void {
    const principal = this.principals.get(socket);
    if (!principal) return void socket.disconnect(true);
    const { logger, metrics } = this.runtime;
    const { chatSettings } = this;
    const peer = new IoPeer(
      socket,
      'socketio_chat',
      principal,
      requestIdsOf(socket.request).correlationId,
      this.websocket,
      this.timers,
    );
    socket.once(
      'disconnect',
      this.connections.add(peer, () => peer.stats()),
    );
    answerUnknownEvents(socket, peer, ['message', 'typing', 'ping', 'auth']);
    const sessionId = sessionOf(socket);
    const ip = clientIp(socket.request, this.http);
    const { perMinuteIp } = this.rateLimits;
    const admit = async (): Promise<void> => {
      if (perMinuteIp > 0) await this.limiter.hit('ip', ip, perMinuteIp);
    };
    const deps = {
      chat: this.chat,
      chatWs: this.chatWs,
      presence: this.presence,
      chatSettings,
      logger,
      metrics,
      admit,
    };
    const sessionToken = handshakeValue(socket, 'sessionToken', 'session_token');
    const participant = new ChatParticipant(
      peer,
      sessionId,
      deps,
      peer.frames,
      (end) => endWithStream(peer, end, deps, 'session ended'),
      sessionToken,
    );
    this.participants.set(socket.id, participant);
    void socket.join(`chat:${sessionId}`);
    participant.join(handshakeLastEventId(socket)).catch((error: unknown) => {
      const status = reportFailure(peer, error, deps, { session_id: sessionId });
      peer.close(closeCodeFor(status), `could not open the session (status ${status})`);
    });
  }

  handleDisconnect(socket: Socket): void {
    this.participants.get(socket.id)?.leave();
    this.participants.delete(socket.id);
  }

  @SubscribeMessage('message')
  async message(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<OutboundMessage> {
    const parsed = parseBody(messageSchema, body);
    const participant = this.participants.get(socket.id);
    if (!parsed.ok || !participant)
      return parsed.ok ? errorMessage('NOT_CONNECTED', 'the connection is closing') : parsed.error;
    return participant.say(parsed.data.content, parsed.data.agent_id);
  }

  @SubscribeMessage('typing')
  typing(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): OutboundMessage {
    const parsed = parseBody(typingSchema, body ?? undefined);
    if (!parsed.ok) return parsed.error;
    this.participants.get(socket.id)?.setTyping(parsed.data.is_typing);
    return { type: 'ack', command: 'typing' };
  }

  /** A fresh token for the same user (`{ token }`), before the connection's one expires. */
  @SubscribeMessage('auth')
  auth(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<OutboundMessage> {
    return this.connections.refresh(socket.id, tokenOf(body));
  }

  @SubscribeMessage('ping')
  ping(): OutboundMessage {
    return { type: 'pong' };
  }
}
