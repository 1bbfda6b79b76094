import { z } from 'zod';
import { WEBHOOK_MODES, WEBHOOK_PATTERN } from '#audit';

const MAX_PATTERNS = 50;

/** Why a receiver URL is refused, or null. */
function urlProblem(value: string): string | null {
  if (!URL.canParse(value)) return 'must be an absolute URL';
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL';
  if (url.username !== '' || url.password !== '')
    return 'must not carry credentials (user:password@); receivers check the signature instead';
  if (url.hash !== '') return 'must not have a #fragment';
  return null;
}

const receiverUrl = z
  .string()
  .max(2048, 'must be at most 2048 characters')
  .superRefine((value, context) => {
    const problem = urlProblem(value);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });

const patterns = (what: string) =>
  z
    .array(z.string().regex(WEBHOOK_PATTERN, `each ${what} pattern is letters, digits, _ . : - and * (1 to 200)`))
    .max(MAX_PATTERNS, `at most ${MAX_PATTERNS} patterns`);

export const registerWebhookSchema = z
  .object({
    url: receiverUrl,
    events: patterns('event type').optional(),
    streams: patterns('stream').optional(),
    mode: z.enum(WEBHOOK_MODES).optional(),
  })
  .strict();

export const replaySchema = z
  .object({
    from: z.union([
      z.number().int('must be a whole number').min(0, 'must be 0 or more').max(Number.MAX_SAFE_INTEGER),
      z.string().trim().min(1, 'must not be empty').max(200),
    ]),
  })
  .strict();

export const deliveriesQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    status: z.enum(['pending', 'delivered', 'failed']).optional(),
    before: z.coerce.number().int().min(1).optional(),
  })
  .strict();

export const webhookIdSchema = z.string().uuid('must be a webhook id (a UUID)');
