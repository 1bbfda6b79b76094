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
import type { Runtime } from '#platform';
import { InvestigationsService } from '../../investigations/investigations.service.js';
import type { StreamHubs } from '#eventsourcing';
import type { WireFrame } from '../../streaming/wire-frame.js';
import { INVESTIGATION_HUBS, RUNTIME } from '../../tokens.js';
import { WsConnections } from '../ws-connections.js';
import { errorMessage, type OutboundMessage } from '../ws-messages.js';
import { tokenOf, parseBody as parse } from './io-body.js';
import { handshakeLastEventId, handshakeValue } from './io-handshake.js';
import { IoInvestigationsClient, subscribeSchema, targetSchema } from './io-investigations.js';
import { IoPeers } from './io-peers.js';

/**
 * Socket.IO namespace /investigations: `auth: {token, investigationId, lastEventId}` on
 * connect (or `subscribe` later, one room per investigation); the SSE events emitted under
 * their type with their `id`; `cancel` answered through the acknowledgement.
 */
@WebSocketGateway({ namespace: '/investigations' })
export class InvestigationsGateway
  implements OnGatewayInit<Namespace>, OnGatewayConnection<Socket>, OnGatewayDisconnect<Socket>
{
  /** The namespace, with a room per investigation (`investigation:<id>`). */
  @WebSocketServer() readonly namespace!: Namespace;
  private readonly clients = new Map<string, IoInvestigationsClient>();

  constructor(
    @Inject(RUNTIME) private readonly runtime: Pick<Runtime, 'logger' | 'metrics'>,
    private readonly investigations: InvestigationsService,
    @Inject(INVESTIGATION_HUBS) private readonly hubs: StreamHubs<WireFrame>,
    private readonly peers: IoPeers,
    private readonly connections: WsConnections,
  ) {}

  afterInit(namespace: Namespace): void {
    namespace.use(this.peers.handshake('investigations', (socket) => void handshakeLastEventId(socket)));
  }

  handleConnection(socket: Socket): void {
    const known = ['subscribe', 'unsubscribe', 'cancel', 'ping', 'auth'];
    const peer = this.peers.accept(socket, 'socketio_investigations', known);
    if (!peer) return;
    const { logger, metrics } = this.runtime;
    const client = new IoInvestigationsClient(socket, peer, {
      investigations: this.investigations,
      investigationHubs: this.hubs,
      logger,
      metrics,
    });
    this.clients.set(socket.id, client);
    const id = handshakeValue(socket, 'investigationId', 'investigation_id');
    if (id === undefined) return;
    const first = parse(subscribeSchema, {
      investigation_id: id,
      last_event_id: handshakeLastEventId(socket) ?? undefined,
    });
    peer.send(first.ok ? client.subscribe(first.data.investigation_id, first.data.last_event_id) : first.error);
  }

  handleDisconnect(socket: Socket): void {
    this.clients.get(socket.id)?.stop();
    this.clients.delete(socket.id);
  }

  @SubscribeMessage('subscribe')
  subscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): OutboundMessage {
    const parsed = parse(subscribeSchema, body);
    const client = this.clients.get(socket.id);
    if (!parsed.ok || !client)
      return parsed.ok ? errorMessage('NOT_CONNECTED', 'the connection is closing') : parsed.error;
    return client.subscribe(parsed.data.investigation_id, parsed.data.last_event_id);
  }

  @SubscribeMessage('unsubscribe')
  unsubscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): OutboundMessage {
    const parsed = parse(targetSchema, body);
    const client = this.clients.get(socket.id);
    if (!parsed.ok || !client)
      return parsed.ok ? errorMessage('NOT_CONNECTED', 'the connection is closing') : parsed.error;
    return client.unsubscribe(parsed.data.investigation_id);
  }

  @SubscribeMessage('cancel')
  async cancel(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<OutboundMessage> {
    const parsed = parse(targetSchema, body);
    const client = this.clients.get(socket.id);
    if (!parsed.ok || !client)
      return parsed.ok ? errorMessage('NOT_CONNECTED', 'the connection is closing') : parsed.error;
    return client.cancel(parsed.data.investigation_id, parsed.data.reason);
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
