import type { WebSocket } from 'ws';

export interface HeartbeatOptions {
  /** WEBSOCKET_PING_INTERVAL: a peer that has not answered the previous ping by the next one is dead. */
  readonly pingIntervalMs: number;
  /** WEBSOCKET_TIMEOUT: no message either way for this long closes the connection. */
  readonly idleTimeoutMs: number;
  readonly onDead: () => void;
  readonly onIdle: () => void;
}

export interface Heartbeat {
  /** Application traffic happened (a client message, an event sent): the connection is in use. */
  touch(): void;
  stop(): void;
}

/**
 * Protocol pings find peers that vanished without a FIN (a laptop lid, a dropped NAT
 * entry), whose sockets would otherwise hold a subscription forever. Pongs prove the peer
 * is alive but not that anyone uses the connection, so they do not count as activity.
 */
export function startHeartbeat(ws: WebSocket, options: HeartbeatOptions): Heartbeat {
  let alive = true;
  const onPong = (): void => {
    alive = true;
  };
  ws.on('pong', onPong);
  const pinger = setInterval(() => {
    if (!alive) {
      options.onDead();
      return;
    }
    alive = false;
    ws.ping();
  }, options.pingIntervalMs);
  pinger.unref();
  const idle = setTimeout(options.onIdle, options.idleTimeoutMs);
  idle.unref();
  return {
    touch: () => void idle.refresh(),
    stop: () => {
      clearInterval(pinger);
      clearTimeout(idle);
      ws.off('pong', onPong);
    },
  };
}
