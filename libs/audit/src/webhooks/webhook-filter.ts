import { categoryOf } from '../event-feed-filter.js';
import { WEBHOOKS_STREAM, type Webhook } from './webhook-registry.js';

/** Letters, digits, `_ . : -` and the `*` wildcard: what a type or stream pattern may hold. */
export const WEBHOOK_PATTERN = /^[A-Za-z0-9_.:*-]{1,200}$/;

const patternCache = new Map<string, RegExp>();

function compiled(pattern: string): RegExp {
  let regex = patternCache.get(pattern);
  if (!regex) {
    const body = pattern
      .split('*')
      .map((part) => part.replace(/[.:-]/g, (c) => `\\${c}`))
      .join('.*');
    regex = new RegExp(`^${body}$`);
    patternCache.set(pattern, regex);
  }
  return regex;
}

/** `*` matches any run of characters; an empty list matches everything. */
export function matchesPatterns(patterns: readonly string[], ...values: string[]): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((pattern) => values.some((value) => compiled(pattern).test(value)));
}

/**
 * Whether a webhook gets an event: the registrations themselves never go out (they would
 * tell every receiver the others' URLs), the rest by the webhook's type and stream patterns.
 */
export function webhookWants(
  webhook: Pick<Webhook, 'events' | 'streams'>,
  event: { readonly streamId: string; readonly type: string },
): boolean {
  if (event.streamId === WEBHOOKS_STREAM) return false;
  const category = categoryOf(event.streamId);
  return (
    matchesPatterns(webhook.events, event.type, `${category}.${event.type}`) &&
    matchesPatterns(webhook.streams, event.streamId)
  );
}
