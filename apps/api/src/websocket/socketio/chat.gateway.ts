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
import type { HttpSettings } from '#platform';
import { sessionIdSchema } from '../../chat/chat-request.dto.js';
import { ApiError } from '../../http/api-error.js';
import { clientIp } from '../../http/client-ip.js';
import { SETTINGS } from '../../tokens.js';
import { ChatParticipant } from '../chat-participant.js';
import { ChatParticipantDeps } from '../chat-participant-deps.js';
import { WsConnections } from '../ws-connections.js';
import { errorMessage, type OutboundMessage } from '../ws-messages.js';
import { tokenOf, parseBody } from './io-body.js';
import { handshakeLastEventId, handshakeValue } from './io-handshake.js';
import { IoPeers } from './io-peers.js';

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
  private readonly participants = new Map<string, ChatParticipant>();

  constructor(
    @Inject(SETTINGS.http) private readonly http: HttpSettings,
    private readonly peers: IoPeers,
    private readonly deps: ChatParticipantDeps,
    private readonly connections: WsConnections,
  ) {}

  afterInit(namespace: Namespace): void {
    namespace.use(
      this.peers.handshake('chat', (socket) => {
        sessionOf(socket);
        handshakeLastEventId(socket);
      }),
    );
  }

  handleConnection(socket: Socket): void {
    const peer = this.peers.accept(socket, 'socketio_chat', ['message', 'typing', 'ping', 'auth']);
    if (!peer) return;
    const sessionId = sessionOf(socket);
    const deps = this.deps.for(clientIp(socket.request, this.http));
    const sessionToken = handshakeValue(socket, 'sessionToken', 'session_token');
    const participant = new ChatParticipant(peer, sessionId, deps, sessionToken);
    this.participants.set(socket.id, participant);
    void socket.join(`chat:${sessionId}`);
    participant.open(handshakeLastEventId(socket));
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
