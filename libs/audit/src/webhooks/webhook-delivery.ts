/** One event owed to one webhook, and how its delivery went: a row of the delivery log. */
export interface WebhookDelivery {
  readonly webhookId: string;
  readonly eventId: string;
  readonly position: number;
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
  readonly state: 'pending' | 'delivered' | 'failed';
  readonly attempts: number;
  /** HTTP status of the latest attempts, oldest first (null: no response: refused, timed out). */
  readonly statusCodes: readonly (number | null)[];
  readonly lastError: string | null;
  readonly enqueuedAt: string;
  readonly firstAttemptAt: string | null;
  /** When the next attempt is due; null once delivered or failed. */
  readonly nextAttemptAt: string | null;
  readonly deliveredAt: string | null;
}

export interface RetryPolicy {
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  /** Attempts go on for this long after the first; a failure past it marks the delivery failed. */
  readonly windowMs: number;
}

export interface AttemptOutcome {
  readonly status: number | null;
  readonly error: string | null;
}

const KEPT_STATUS_CODES = 20;

/**
 * Delay before retry n (1 after the first failure): exponential from minDelayMs, capped at
 * maxDelayMs, half fixed and half random, so receivers coming back are not hit by every
 * stream's retry at the same instant.
 */
export function retryDelayMs(failures: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** Math.min(40, Math.max(0, failures - 1)));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export const isSuccess = (outcome: AttemptOutcome): boolean =>
  outcome.status !== null && outcome.status >= 200 && outcome.status < 300;

export function newDelivery(
  webhookId: string,
  event: {
    readonly streamId: string;
    readonly revision: number;
    readonly position: number;
    readonly type: string;
    readonly metadata: { readonly eventId: string };
  },
  now: Date,
): WebhookDelivery {
  return {
    webhookId,
    eventId: event.metadata.eventId,
    position: event.position,
    streamId: event.streamId,
    revision: event.revision,
    type: event.type,
    state: 'pending',
    attempts: 0,
    statusCodes: [],
    lastError: null,
    enqueuedAt: now.toISOString(),
    firstAttemptAt: null,
    nextAttemptAt: now.toISOString(),
    deliveredAt: null,
  };
}

/** The delivery after one attempt: delivered, due again after the backoff, or failed past the window. */
export function afterAttempt(
  delivery: WebhookDelivery,
  outcome: AttemptOutcome,
  now: Date,
  policy: RetryPolicy,
  random: () => number = Math.random,
): WebhookDelivery {
  const firstAttemptAt = delivery.firstAttemptAt ?? now.toISOString();
  const attempted = {
    ...delivery,
    attempts: delivery.attempts + 1,
    statusCodes: [...delivery.statusCodes, outcome.status].slice(-KEPT_STATUS_CODES),
    firstAttemptAt,
  };
  if (isSuccess(outcome))
    return { ...attempted, state: 'delivered', lastError: null, nextAttemptAt: null, deliveredAt: now.toISOString() };
  const lastError = outcome.error ?? `HTTP ${outcome.status}`;
  if (now.getTime() - Date.parse(firstAttemptAt) >= policy.windowMs)
    return { ...attempted, state: 'failed', lastError, nextAttemptAt: null };
  const next = new Date(now.getTime() + retryDelayMs(attempted.attempts, policy, random));
  return { ...attempted, lastError, nextAttemptAt: next.toISOString() };
}

/** A delivery's lane: its webhook and stream. A lane sends one event at a time, in order. */
export const laneOf = (delivery: Pick<WebhookDelivery, 'webhookId' | 'streamId'>): string =>
  `${delivery.webhookId}\u0000${delivery.streamId}`;

/**
 * The first pending delivery of each (webhook, stream): a stream's next event waits until the
 * one before it is delivered (or failed for good), while other streams go on. Lanes in `busy`
 * (an attempt under way) have no head to offer.
 */
export function laneHeads(
  pending: Iterable<WebhookDelivery>,
  busy: ReadonlySet<string> = new Set(),
): WebhookDelivery[] {
  const heads = new Map<string, WebhookDelivery>();
  for (const delivery of pending) {
    if (delivery.state !== 'pending') continue;
    const lane = laneOf(delivery);
    if (busy.has(lane)) continue;
    const head = heads.get(lane);
    if (!head || delivery.position < head.position) heads.set(lane, delivery);
  }
  return [...heads.values()];
}

const dueTime = (delivery: WebhookDelivery): number => Date.parse(delivery.nextAttemptAt ?? '');

export interface DeliveryPlan {
  /** Heads of the free lanes due at `now`, most overdue first, at most `limit` of them. */
  readonly due: WebhookDelivery[];
  /** When the earliest head of a free lane left out of `due` is due; null if none. */
  readonly nextDueAt: number | null;
}

/** What to send now, and when to look again, from one pass over the pending deliveries. */
export function planDeliveries(
  pending: Iterable<WebhookDelivery>,
  now: Date,
  limit: number,
  busy: ReadonlySet<string> = new Set(),
): DeliveryPlan {
  const at = now.getTime();
  const heads = laneHeads(pending, busy).sort((a, b) => dueTime(a) - dueTime(b) || a.position - b.position);
  const dueCount = Math.max(0, Math.min(limit, heads.filter((delivery) => dueTime(delivery) <= at).length));
  const next = heads[dueCount];
  return { due: heads.slice(0, dueCount), nextDueAt: next ? dueTime(next) : null };
}

/** Heads of the free lanes due at `now`, most overdue first, at most `limit` of them. */
export const dueDeliveries = (
  pending: Iterable<WebhookDelivery>,
  now: Date,
  limit: number,
  busy?: ReadonlySet<string>,
): WebhookDelivery[] => planDeliveries(pending, now, limit, busy).due;

/** When the earliest head of a free lane is due; null with nothing pending there. */
export const nextDueAt = (pending: Iterable<WebhookDelivery>, busy?: ReadonlySet<string>): number | null =>
  planDeliveries(pending, new Date(0), 0, busy).nextDueAt;
