import { z } from 'zod';

/** One port (0: any free one), or the first free one of an inclusive range. */
export type PortChoice = number | { readonly first: number; readonly last: number };

/** The ports to try, in order. */
export const portsOf = (choice: PortChoice): number[] =>
  typeof choice === 'number'
    ? [choice]
    : Array.from({ length: choice.last - choice.first + 1 }, (_, i) => choice.first + i);

const MAX_RANGE = 1024;

/**
 * A port setting that also takes a range such as `9464-9474`, so several processes on one
 * host each find a port of their own, or 0 for any free port.
 */
export const portChoiceSetting = (fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((raw, ctx): PortChoice => {
      const value = raw.trim();
      const single = /^\d{1,5}$/.test(value) ? Number(value) : null;
      if (single !== null && single <= 65535) return single;
      const range = /^(\d{1,5})\s*-\s*(\d{1,5})$/.exec(value);
      const first = Number(range?.[1]);
      const last = Number(range?.[2]);
      if (range && first >= 1 && first <= last && last <= 65535 && last - first < MAX_RANGE) return { first, last };
      ctx.addIssue({
        code: 'custom',
        message: `must be a port (0-65535; 0: any free port) or a range first-last of at most ${MAX_RANGE} ports, such as 9464-9474`,
      });
      return z.NEVER;
    });
