import { describe, expect, it } from '@jest/globals';
import type { LookupAddress } from 'node:dns';
import { WebhookEgress } from './webhook-egress.js';

const closed = new WebhookEgress([]);

/** What the egress's resolver hands a connection for `hostname`. */
const resolve = (egress: WebhookEgress, hostname: string) =>
  new Promise<{ error: NodeJS.ErrnoException | null; addresses: string[] }>((done) =>
    egress.lookup(hostname, { all: true }, (error, addresses) =>
      done({ error, addresses: error ? [] : (addresses as LookupAddress[]).map(({ address }) => address) }),
    ),
  );

describe('WebhookEgress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.1.2.3', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.10', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['100.64.0.1', 'shared (carrier-grade NAT)'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['2001:db8::1', 'reserved'],
  ])('refuses %s: a %s address', (address, kind) => {
    expect(closed.refusalOf(address)).toBe(
      `${address} is a ${kind} address, which webhooks reach only when WEBHOOK_ALLOWED_NETWORKS includes it`,
    );
  });

  it.each(['8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '93.184.215.14'])(
    'lets %s through',
    (address) => {
      expect(closed.refusalOf(address)).toBeNull();
    },
  );

  it('lets through the addresses and subnets WEBHOOK_ALLOWED_NETWORKS names, and only those', () => {
    const open = new WebhookEgress(['10.20.0.0/16', '127.0.0.1', 'fd00::/8']);
    expect(['10.20.1.1', '127.0.0.1', '::ffff:127.0.0.1', 'fd00::5'].map((a) => open.refusalOf(a))).toEqual([
      null,
      null,
      null,
      null,
    ]);
    expect(['10.21.0.1', '127.0.0.2', '::1', 'fc00::5'].every((a) => open.refusalOf(a) !== null)).toBe(true);
  });

  it('refuses a URL host that is a refused address or a loopback name before anything is resolved', () => {
    expect(closed.refusalOfHost('[::1]')).toMatch(/^::1 is a loopback address/);
    expect(closed.refusalOfHost('169.254.169.254')).toMatch(/link-local/);
    for (const name of ['localhost', 'localhost.', 'api.localhost'])
      expect(closed.refusalOfHost(name)).toBe(
        `${name} names the loopback, which webhooks reach only when WEBHOOK_ALLOWED_NETWORKS includes it`,
      );
    expect(closed.refusalOfHost('receiver.example.org')).toBeNull();
    expect(new WebhookEgress(['127.0.0.0/8', '::1']).refusalOfHost('localhost')).toBeNull();
  });

  it('refuses a name that resolves only to refused addresses, when a connection asks for it', async () => {
    const refused = await resolve(closed, 'localhost');
    expect(refused.error?.code).toBe('ADDRESS_NOT_ALLOWED');
    expect(refused.error?.message).toMatch(
      /^localhost resolves only to addresses webhooks may not reach: (127\.0\.0\.1|::1) is a loopback address/,
    );
    const allowed = await resolve(new WebhookEgress(['127.0.0.0/8', '::1']), 'localhost');
    expect(allowed.error).toBeNull();
    expect(allowed.addresses.length).toBeGreaterThan(0);
  });

  it('hands a connection only the addresses it may reach', async () => {
    const loopbackV4Only = new WebhookEgress(['127.0.0.0/8']);
    const { error, addresses } = await resolve(loopbackV4Only, 'localhost');
    expect(error).toBeNull();
    expect(addresses.every((address) => address.startsWith('127.'))).toBe(true);
  });
});
