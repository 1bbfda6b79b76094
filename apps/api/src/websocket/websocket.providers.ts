import type { Provider } from '@nestjs/common';
import type { LiveFeed } from '#eventsourcing';
import type { Runtime, WebSocketSettings } from '#platform';
import { LIVE_FEED, RUNTIME } from '../tokens.js';
import { ChatParticipantDeps } from './chat-participant-deps.js';
import { ChatWsHubs } from './chat-ws.projection.js';
import { PeerTimers } from './peer.js';
import { Presence } from './presence.js';
import { ChatGateway } from './socketio/chat.gateway.js';
import { InvestigationsGateway } from './socketio/investigations.gateway.js';
import { IoPeers } from './socketio/io-peers.js';
import { WsConnections } from './ws-connections.js';
import { WsUpgradeRouter } from './ws-upgrade.router.js';

/**
 * The WebSocket and Socket.IO endpoints. The router is always there, to refuse upgrades
 * when ENABLE_WEBSOCKET=false; the Socket.IO gateways exist only when it is true.
 */
export function websocketProviders(websocket: WebSocketSettings): Provider[] {
  const gateways = websocket.enabled ? [IoPeers, InvestigationsGateway, ChatGateway] : [];
  const chatWs: Provider = {
    provide: ChatWsHubs,
    useFactory: (runtime: Runtime, feed: LiveFeed) => new ChatWsHubs(runtime.store, feed),
    inject: [RUNTIME, LIVE_FEED],
  };
  return [PeerTimers, chatWs, WsConnections, Presence, ChatParticipantDeps, WsUpgradeRouter, ...gateways];
}
