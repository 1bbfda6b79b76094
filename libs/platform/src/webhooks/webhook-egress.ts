import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type BlockList, type LookupFunction } from 'node:net';
import { addressList, type AddressRange } from '../config/address-ranges.js';

/** The addresses that are not the public internet's (IANA's special-purpose registries), by what they are. */
const NOT_PUBLIC: ReadonlyArray<readonly [kind: string, ranges: readonly AddressRange[]]> = [
  ['loopback', ['127.0.0.0/8', '::1/128']],
  ['private', ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']],
  // The cloud providers' instance metadata (169.254.169.254) among them.
  ['link-local', ['169.254.0.0/16', 'fe80::/10']],
  ['shared (carrier-grade NAT)', ['100.64.0.0/10']],
  ['unspecified', ['0.0.0.0/8', '::/128']],
  ['multicast', ['224.0.0.0/4', 'ff00::/8']],
  [
    'reserved',
    [
      '192.0.0.0/24',
      '192.0.2.0/24',
      '198.18.0.0/15',
      '198.51.100.0/24',
      '203.0.113.0/24',
      '240.0.0.0/4',
      '100::/64',
      '2001:db8::/32',
    ],
  ],
];

/** Why a delivery may not connect where it was going: `code` is what a delivery's last_error starts with. */
export class AddressNotAllowed extends Error {
  readonly code = 'ADDRESS_NOT_ALLOWED';
}

/**
 * Where webhook deliveries may connect: the public internet, and the addresses and subnets
 * of WEBHOOK_ALLOWED_NETWORKS. A registered URL is an admin's word, and an admin's token is
 * not a key to the deployment's own network: without this, a webhook pointed at a loopback,
 * private or link-local address (a database's port, the cloud's metadata service) would make
 * the delivering process a client there, and the deliveries' status codes and errors a scan of
 * it. Every connection is checked on the addresses it resolves to, so a name that resolves
 * elsewhere later (DNS rebinding) is checked again.
 */
export class WebhookEgress {
  private readonly allowed: BlockList;
  private readonly notPublic = NOT_PUBLIC.map(([kind, ranges]) => ({ kind, list: addressList(ranges) }));

  constructor(allowedNetworks: readonly AddressRange[]) {
    this.allowed = addressList(allowedNetworks);
  }

  /** Why deliveries may not reach this IP address, or null. */
  refusalOf(address: string): string | null {
    const family = isIP(address);
    if (family === 0) return null;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (this.allowed.check(address, type)) return null;
    const kind = this.notPublic.find(({ list }) => list.check(address, type))?.kind;
    return kind
      ? `${address} is a ${kind} address, which webhooks reach only when WEBHOOK_ALLOWED_NETWORKS includes it`
      : null;
  }

  /**
   * Why a URL's host is refused before anything is resolved, or null: an IP address, or a
   * name that is the loopback by definition (`localhost`, `*.localhost`). Other names are
   * checked on each connection.
   */
  refusalOfHost(hostname: string): string | null {
    const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
    if (isIP(host) !== 0) return this.refusalOf(host);
    const name = host.toLowerCase().replace(/\.$/, '');
    if (name !== 'localhost' && !name.endsWith('.localhost')) return null;
    return this.refusalOf('127.0.0.1') && this.refusalOf('::1')
      ? `${hostname} names the loopback, which webhooks reach only when WEBHOOK_ALLOWED_NETWORKS includes it`
      : null;
  }

  /** The resolver of deliveries' connections: only the addresses a delivery may reach are handed on. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, resolved: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const reachable = resolved.filter(({ address }) => this.refusalOf(address) === null);
      const first = reachable[0];
      if (!first) {
        const why = resolved.map(({ address }) => this.refusalOf(address)).find((refusal) => refusal !== null);
        return callback(
          new AddressNotAllowed(`${hostname} resolves only to addresses webhooks may not reach: ${why ?? 'none'}`),
          '',
          0,
        );
      }
      if (options.all) callback(null, reachable);
      else callback(null, first.address, first.family);
    });
  };
}
