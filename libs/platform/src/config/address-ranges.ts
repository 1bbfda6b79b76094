import { BlockList, isIP } from 'node:net';
import { z } from 'zod';

/** An address or a subnet in CIDR form: `10.0.0.5`, `10.0.0.0/8`, `::1`, `fd00::/8`. */
export type AddressRange = string;

/** The ranges as a list Node checks addresses against (an IPv4-mapped IPv6 address matches its IPv4 ranges). */
export function addressList(ranges: readonly AddressRange[]): BlockList {
  const list = new BlockList();
  for (const range of ranges) {
    const [address = '', prefix] = range.split('/');
    const family = isIP(address);
    if (family === 0) throw new Error(`${range}: not an IP address or subnet`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, type);
    else {
      const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN;
      if (!(bits <= (family === 4 ? 32 : 128)))
        throw new Error(`${range}: the prefix must be 0 to ${family === 4 ? 32 : 128}`);
      list.addSubnet(address, bits, type);
    }
  }
  return list;
}

/** Comma-separated addresses and subnets, each checked (`10.0.0.0/8,::1`); empty: none. */
export const addressRangesSetting = z
  .string()
  .default('')
  .transform((raw, ctx): readonly AddressRange[] => {
    const ranges = raw
      .split(',')
      .map((range) => range.trim())
      .filter((range) => range !== '');
    try {
      addressList(ranges);
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `must be comma-separated IP addresses or subnets (10.0.0.0/8): ${(error as Error).message}`,
      });
      return z.NEVER;
    }
    return ranges;
  });
