import type { Duplex } from 'node:stream';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { CloseCode, makeServer, type ConnectionInitMessage, type Context, type SubscribePayload } from 'graphql-ws';
import type { WebSocket } from 'ws';
import type { Authenticator, Logger, Principal, WebSocketSettings } from '#platform';
import type { ApiError } from '../http/api-error.js';
import type { Peer, PeerTimers } from '../websocket/peer.js';
import { admit } from '../websocket/ws-auth.js';
import type { WsConnections } from '../websocket/ws-connections.js';
import { closeReason, WS_CLOSE } from '../websocket/ws-messages.js';
import { WsPeer } from '../websocket/ws-peer.js';
import type { GraphqlEndpoint } from './graphql-endpoint.js';
import type { GraphqlContext } from './graphql-operations.js';

/** Operations one connection may run at once: each holds a hub subscription or a list loop. */
export const MAX_OPERATIONS_PER_CONNECTION = 50;

export interface GraphqlSocketDeps {
  readonly endpoint: GraphqlEndpoint;
  readonly authenticator: Authenticator;
  readonly connections: WsConnections;
  readonly timers: PeerTimers;
  readonly websocket: WebSocketSettings;
  readonly logger: Logger;
  readonly correlationId: string;
  /** The token of the upgrade request (Authorization header or ?token=), used when connectionParams carry none. */
  readonly upgradeToken: string | undefined;
  /** The stream slot the connection holds while open, as every WebSocket does. */
  readonly holdSlot: (principal: Principal) => { release: () => void } | { refused: ApiError };
  /** Logs (and audits) a refused connection. */
  readonly noteRefusal: (error: ApiError) => void;
}

interface Extra {
  principal: Principal | null;
}

/** `{ authorization: "Bearer …" }` or `{ token }` of connection_init; a malformed one is a problem, not a token. */
function tokenOf(params: ConnectionInitMessage['payload']): string | undefined | { problem: string } {
  if (!params) return undefined;
  const { authorization, token } = params;
  if (typeof authorization === 'string') {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    return bearer ?? { problem: 'connectionParams.authorization must be "Bearer <token>"' };
  }
  if (token === undefined || token === null) return undefined;
  return typeof token === 'string' && token !== '' ? token : { problem: 'connectionParams.token must be a string' };
}

/** graphql-ws's close codes for a refusal: 4401 no valid token, 4403 not allowed; the server's own otherwise. */
function refusalCode(error: ApiError): number {
  if (error.status === 401) return CloseCode.Unauthorized;
  if (error.status === 403) return CloseCode.Forbidden;
  if (error.code === 'TOO_MANY_STREAMS' || error.status === 429) return WS_CLOSE.TRY_AGAIN_LATER;
  return error.status >= 500 ? WS_CLOSE.SERVER_ERROR : CloseCode.BadRequest;
}

/**
 * One graphql-transport-ws connection at /graphql (graphql-ws's server): authenticated by
 * its connection_init, then a Peer of the connection registry (pings and idle limit on the
 * timer wheel, 1012 on shutdown, revocations) whose sends wait while its buffer is full.
 */
export function serveGraphql(ws: WebSocket, socket: Duplex, deps: GraphqlSocketDeps): void {
  let peer: WsPeer | null = null;
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  const close = (code: number, reason: string): void => {
    if (peer) peer.close(code, reason);
    else if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, closeReason(reason));
  };
  const refuse = (error: ApiError): false => {
    deps.noteRefusal(error);
    close(refusalCode(error), `${error.code}: ${error.message}`);
    return false;
  };
  const server = makeServer<Record<string, unknown> | undefined, Extra>({
    schema: deps.endpoint.schema,
    onConnect: async (ctx) => {
      const token = tokenOf(ctx.connectionParams) ?? deps.upgradeToken;
      if (typeof token === 'object') {
        close(CloseCode.BadRequest, token.problem);
        return false;
      }
      const admission = await admit(deps.authenticator, 'investigations', token);
      if (!admission.ok) return refuse(admission.error);
      const slot = deps.holdSlot(admission.principal);
      if ('refused' in slot) return refuse(slot.refused);
      ws.once('close', slot.release);
      peer = new WsPeer(ws, socket, {
        kind: 'graphql',
        principal: admission.principal,
        correlationId: deps.correlationId,
        batching: false,
        websocket: deps.websocket,
        logger: deps.logger,
        timers: deps.timers,
      });
      ws.once(
        'close',
        deps.connections.add(quietPeer(peer), () => (peer as WsPeer).stats()),
      );
      if (deps.connections.stopping) {
        peer.close(WS_CLOSE.SERVICE_RESTART, 'service restart: reconnect shortly');
        return false;
      }
      ctx.extra.principal = admission.principal;
      return true;
    },
    onSubscribe: (ctx, _id, payload) => operationOf(deps.endpoint, ctx, payload),
  });
  const send = async (data: string): Promise<void> => {
    if (!peer) {
      if (ws.readyState === ws.OPEN) ws.send(data);
      return;
    }
    const current = peer;
    current.sendText(data);
    if (current.overloaded() && !current.closed)
      await Promise.race([new Promise<void>((resolve) => current.whenDrained(resolve)), closed]);
  };
  const onClosed = server.opened(
    {
      protocol: ws.protocol,
      send,
      close,
      onMessage: (handle) =>
        ws.on('message', (data: Buffer) => {
          peer?.touch();
          handle(data.toString('utf8')).catch((error: unknown) => {
            deps.logger.error({ err: error, connection: peer?.id }, 'graphql message handling failed');
            close(WS_CLOSE.SERVER_ERROR, 'internal server error');
          });
        }),
    },
    { principal: null },
  );
  ws.once('close', (code: number, reason: Buffer) => void onClosed(code, reason.toString('utf8')));
}

/** The operation to run, or the errors that refuse it: the same parse, validation and limits as over HTTP. */
function operationOf(
  endpoint: GraphqlEndpoint,
  ctx: Context<Record<string, unknown> | undefined, Extra>,
  payload: SubscribePayload,
): ExecutionArgs | readonly GraphQLError[] {
  const { principal } = ctx.extra;
  if (!principal) return [new GraphQLError('the connection is not initialised')];
  if (Object.keys(ctx.subscriptions).length > MAX_OPERATIONS_PER_CONNECTION)
    return [
      new GraphQLError(`at most ${MAX_OPERATIONS_PER_CONNECTION} operations may run at once on one connection`, {
        extensions: { code: 'TOO_MANY_OPERATIONS' },
      }),
    ];
  if (typeof payload.query !== 'string')
    return [new GraphQLError('payload.query must be a string', { extensions: { code: 'VALIDATION_ERROR' } })];
  const checked = endpoint.check(payload.query);
  if (!('kind' in checked)) return checked;
  const contextValue: GraphqlContext = { principal };
  return {
    schema: endpoint.schema,
    document: checked,
    contextValue,
    variableValues: payload.variables ?? null,
    operationName: payload.operationName ?? null,
  };
}

/**
 * The peer as the registry sees it: graphql-transport-ws has no message of its own for a
 * server notice, so a notice (token expiry) is only its close code and reason.
 */
function quietPeer(peer: WsPeer): Peer {
  return {
    get id() {
      return peer.id;
    },
    kind: peer.kind,
    principal: peer.principal,
    correlationId: peer.correlationId,
    frames: peer.frames,
    send: () => undefined,
    flush: () => peer.flush(),
    overloaded: () => peer.overloaded(),
    whenDrained: (resume) => peer.whenDrained(resume),
    notePause: () => peer.notePause(),
    close: (code, reason) => peer.close(code, reason),
    get closed() {
      return peer.closed;
    },
  };
}
