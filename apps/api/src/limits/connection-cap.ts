import type { Server, Socket } from 'node:net';
import { CountsByKey, type HttpSettings, type Logger, type Metrics } from '#platform';
import { normaliseAddress } from '../http/client-ip.js';

/** An address refused again within this long is not logged again. */
const LOG_EVERY_MS = 60_000;

/**
 * At most MAX_CONNECTIONS_PER_IP open connections per peer address, counted from the moment
 * they are accepted: without it one address could hold every file the process may open with
 * connections that never send a request (each lives until the header timeout, about a
 * minute), and then no one else could connect, nor the process open a file. Past the cap a
 * connection is closed as it is accepted, before it is read (counted in
 * http_connections_refused_total, logged once a minute per address, with the hint an operator
 * behind an unconfigured proxy needs). Behind proxies (TRUST_PROXY) the peer is a proxy and
 * nothing is counted here.
 */
export function capConnectionsPerAddress(server: Server, http: HttpSettings, metrics: Metrics, logger: Logger): void {
  const cap = http.maxConnectionsPerAddress;
  if (cap === null) return;
  const open = new CountsByKey();
  const loggedAt = new Map<string, number>();
  // Ahead of the HTTP server's own listener: a refused connection never gets a parser.
  server.prependListener('connection', (socket: Socket) => {
    const address = normaliseAddress(socket.remoteAddress);
    if (open.of(address) >= cap) {
      socket.destroy();
      metrics.connectionsRefused.inc();
      const now = Date.now();
      if (now - (loggedAt.get(address) ?? 0) >= LOG_EVERY_MS) {
        for (const [logged, at] of loggedAt) if (now - at >= LOG_EVERY_MS) loggedAt.delete(logged);
        loggedAt.set(address, now);
        logger.warn(
          { address, cap },
          'connections refused: this address holds MAX_CONNECTIONS_PER_IP already (behind a proxy, set TRUST_PROXY)',
        );
      }
      return;
    }
    open.add(address);
    socket.once('close', () => open.subtract(address));
  });
}
