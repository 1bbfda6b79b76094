import type { Socket } from 'socket.io';
import { eventIdSchema, type Authenticator, type Logger, type HttpSettings, type Principal } from '#platform';
import type { AuditRecorder } from '../../audit/audit-recorder.js';
import { ApiError } from '../../http/api-error.js';
import { clientIp } from '../../http/client-ip.js';
import { admit } from '../ws-auth.js';
import type { WsConnections } from '../ws-connections.js';
import type { StreamGate } from '../../limits/stream-gate.js';
import { closeCodeOf, errorFrom } from '../ws-messages.js';

type Middleware = (socket: Socket, next: (error?: Error) => void) => void;

/** A handshake value from `auth` (socket.io-client's `auth` option) or the query string. */
export function handshakeValue(socket: Socket, authKey: string, queryKey: string): string | undefined {
  const fromAuth: unknown = (socket.handshake.auth as Record<string, unknown>)[authKey];
  if (typeof fromAuth === 'string' && fromAuth !== '') return fromAuth;
  if (typeof fromAuth === 'number' && Number.isFinite(fromAuth)) return String(fromAuth);
  const fromQuery = socket.handshake.query[queryKey];
  return typeof fromQuery === 'string' && fromQuery !== '' ? fromQuery : undefined;
}

/** `auth.lastEventId` (or `?last_event_id=`): the resume point, null when absent; throws a 400 when malformed. */
export function handshakeLastEventId(socket: Socket): number | null {
  const raw = handshakeValue(socket, 'lastEventId', 'last_event_id');
  if (raw === undefined) return null;
  const parsed = eventIdSchema.safeParse(raw);
  if (!parsed.success) throw new ApiError(400, 'VALIDATION_ERROR', 'lastEventId must be a whole number');
  return parsed.data;
}

function handshakeToken(socket: Socket): string | undefined {
  const header = socket.handshake.headers.authorization;
  const bearer = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  return handshakeValue(socket, 'token', 'token') ?? bearer;
}

/** The error a refused client receives as `connect_error`: `message`, and `data` with the WebSocket close code. */
function connectError(error: ApiError): Error {
  const { message } = errorFrom(error);
  return Object.assign(new Error(error.message), { data: { ...message, close_code: closeCodeOf(error) } });
}

export interface HandshakeDeps {
  readonly authenticator: Authenticator;
  readonly connections: WsConnections;
  readonly logger: Logger;
  readonly http: HttpSettings;
  readonly principals: WeakMap<Socket, Principal>;
  /** A refused token is an audit record, as on the raw WebSocket paths. */
  readonly audit: AuditRecorder;
  /** Every connection holds a stream slot while it is open, as an SSE stream or a raw WebSocket does. */
  readonly gate: StreamGate;
  /** Further checks of the handshake (the ids it names); throw an ApiError to refuse. */
  readonly check?: (socket: Socket) => void;
}

/** Namespace middleware: the token is checked before `connection`, so a refused client gets connect_error and is never a participant. */
export function authenticateHandshake(route: 'chat' | 'investigations', deps: HandshakeDeps): Middleware {
  const refuse = (socket: Socket, next: (error?: Error) => void, error: ApiError): void => {
    const ip = clientIp(socket.request, deps.http);
    deps.logger.warn(
      {
        audit: 'websocket_refused',
        path: `/socket.io ${socket.nsp.name}`,
        ip,
        user_agent: socket.handshake.headers['user-agent'],
        error_code: error.code,
        status: error.status,
      },
      `socket.io connection refused: ${error.code}`,
    );
    if (error.status === 401)
      void deps.audit.webSocketTokenRejected(socket.request, error.code, error.message, `/socket.io${socket.nsp.name}`);
    next(connectError(error));
  };
  return (socket, next) => {
    if (deps.connections.stopping)
      return refuse(socket, next, new ApiError(503, 'SHUTTING_DOWN', 'this server is restarting; reconnect shortly'));
    try {
      deps.check?.(socket);
    } catch (error) {
      return refuse(
        socket,
        next,
        error instanceof ApiError ? error : new ApiError(400, 'VALIDATION_ERROR', String(error)),
      );
    }
    admit(deps.authenticator, route, handshakeToken(socket)).then(
      (admission) => {
        if (!admission.ok) return refuse(socket, next, admission.error);
        let release: () => void;
        try {
          release = deps.gate.admit(socket.request, admission.principal, 'websocket', `/socket.io${socket.nsp.name}`);
        } catch (error) {
          return refuse(
            socket,
            next,
            error instanceof ApiError ? error : new ApiError(500, 'INTERNAL_ERROR', 'unexpected server error'),
          );
        }
        socket.once('disconnect', release);
        deps.principals.set(socket, admission.principal);
        next();
      },
      (error: unknown) => {
        deps.logger.error({ err: error }, 'socket.io authentication failed unexpectedly');
        refuse(socket, next, new ApiError(500, 'INTERNAL_ERROR', 'unexpected server error'));
      },
    );
  };
}
