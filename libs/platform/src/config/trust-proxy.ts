import proxyaddr from 'proxy-addr';
import { z } from 'zod';

/** Which hops may tell us the client's address in X-Forwarded-For. */
export type TrustProxy =
  | { readonly kind: 'none' }
  | { readonly kind: 'all' }
  | { readonly kind: 'hops'; readonly hops: number }
  | { readonly kind: 'addresses'; readonly addresses: readonly string[] };

/** (address, hop index from the socket) -> whether that hop is a proxy we trust. */
export type TrustFunction = (address: string, hop: number) => boolean;

/**
 * TRUST_PROXY: empty or false (default: the socket's peer is the client; X-Forwarded-For is
 * ignored, so nobody can forge their address), true (every hop: only behind a proxy that
 * overwrites the header), a hop count, or addresses and subnets of the proxies, with
 * proxy-addr's names loopback, linklocal and uniquelocal (e.g. `loopback,10.0.0.0/8`).
 */
export const trustProxySetting = z
  .string()
  .default('')
  .transform((raw, ctx): TrustProxy => {
    const value = raw.trim();
    if (value === '' || value === 'false') return { kind: 'none' };
    if (value === 'true') return { kind: 'all' };
    if (/^\d+$/.test(value)) return { kind: 'hops', hops: Number(value) };
    const addresses = value
      .split(',')
      .map((a) => a.trim())
      .filter((a) => a !== '');
    try {
      proxyaddr.compile(addresses);
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `must be true, false, a hop count or proxy addresses/subnets: ${error instanceof Error ? error.message : String(error)}`,
      });
      return z.NEVER;
    }
    return { kind: 'addresses', addresses };
  });

export function trustFunction(trust: TrustProxy): TrustFunction {
  switch (trust.kind) {
    case 'none':
      return () => false;
    case 'all':
      return () => true;
    case 'hops':
      return (_address, hop) => hop < trust.hops;
    case 'addresses':
      return proxyaddr.compile([...trust.addresses]);
    default: {
      const unknown: never = trust;
      throw new Error(`unknown trust ${JSON.stringify(unknown)}`);
    }
  }
}
