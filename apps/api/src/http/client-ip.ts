import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';
import { trustFunction, type HttpSettings, type TrustFunction } from '#platform';

const compiled = new WeakMap<HttpSettings, TrustFunction>();

/** IPv4-mapped IPv6 (::ffff:10.0.0.1) and plain IPv4 are the same client. */
export const normaliseAddress = (ip: string | undefined): string =>
  (ip ?? 'unknown').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');

/**
 * The client's address, for audit records and per-address limits: the socket's peer, or
 * the X-Forwarded-For entry the trusted proxies (TRUST_PROXY) vouch for. One function for
 * HTTP, WebSocket upgrades and Socket.IO handshakes, so a client is one address everywhere.
 */
export function clientIp(req: IncomingMessage, http: HttpSettings): string {
  if (!req.socket?.remoteAddress) return normaliseAddress(undefined);
  return normaliseAddress(proxyaddr(req, proxyTrust(http)));
}

/** TRUST_PROXY compiled once per settings section. */
export function proxyTrust(http: HttpSettings): TrustFunction {
  let trust = compiled.get(http);
  if (!trust) {
    trust = trustFunction(http.trustProxy);
    compiled.set(http, trust);
  }
  return trust;
}
