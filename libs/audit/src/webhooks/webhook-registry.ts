import { z } from 'zod';

/**
 * Webhook registrations: admin facts in one stream, read whole by whoever needs them (the
 * API to list them, the dispatcher folding them in global order). Like token revocations,
 * they are configuration an admin states, not a command an actor decides on.
 */
export const WEBHOOKS_STREAM = 'webhooks';

export const WEBHOOK_MODES = ['binary', 'structured'] as const;
export type WebhookMode = (typeof WEBHOOK_MODES)[number];

export interface WebhookRegisteredData {
  readonly webhookId: string;
  readonly url: string;
  /** Type patterns (`*` wildcard) matched against `Type` and `category.Type`; empty: every type. */
  readonly events: readonly string[];
  /** Stream id patterns (`*` wildcard); empty: every stream. */
  readonly streams: readonly string[];
  readonly mode: WebhookMode;
  readonly registeredBy: string;
}

export interface WebhookDeletedData {
  readonly webhookId: string;
  readonly deletedBy: string;
}

export interface WebhookReplayRequestedData {
  readonly webhookId: string;
  /** Global position the redelivery starts at, inclusive. */
  readonly from: number;
  readonly requestedBy: string;
}

export type WebhookEvent =
  | { readonly type: 'WebhookRegistered'; readonly data: WebhookRegisteredData }
  | { readonly type: 'WebhookDeleted'; readonly data: WebhookDeletedData }
  | { readonly type: 'WebhookReplayRequested'; readonly data: WebhookReplayRequestedData };

/** A live registration: its data, when and where in the store it was made. */
export interface Webhook extends WebhookRegisteredData {
  readonly registeredAt: string;
  /** Global position of the registration: events after it are delivered. */
  readonly position: number;
}

export type Webhooks = ReadonlyMap<string, Webhook>;

interface StoredWebhookEvent {
  readonly streamId: string;
  readonly type: string;
  readonly data: unknown;
  readonly position: number;
  readonly metadata: { readonly occurredAt: string };
}

const registeredSchema = z.object({
  webhookId: z.string(),
  url: z.string(),
  events: z.array(z.string()).readonly(),
  streams: z.array(z.string()).readonly(),
  mode: z.enum(WEBHOOK_MODES),
  registeredBy: z.string(),
});
const deletedSchema = z.object({ webhookId: z.string(), deletedBy: z.string() });
const replaySchema = z.object({ webhookId: z.string(), from: z.number().int().min(0), requestedBy: z.string() });

/** The one checked reading of a stored event of the webhooks stream; null for anything else. */
export function readWebhookEvent(event: StoredWebhookEvent): WebhookEvent | null {
  if (event.streamId !== WEBHOOKS_STREAM) return null;
  switch (event.type) {
    case 'WebhookRegistered': {
      const parsed = registeredSchema.safeParse(event.data);
      return parsed.success ? { type: event.type, data: parsed.data } : null;
    }
    case 'WebhookDeleted': {
      const parsed = deletedSchema.safeParse(event.data);
      return parsed.success ? { type: event.type, data: parsed.data } : null;
    }
    case 'WebhookReplayRequested': {
      const parsed = replaySchema.safeParse(event.data);
      return parsed.success ? { type: event.type, data: parsed.data } : null;
    }
    default:
      return null;
  }
}

export function evolveWebhooks(state: Webhooks, event: StoredWebhookEvent): Webhooks {
  const typed = readWebhookEvent(event);
  if (!typed) return state;
  switch (typed.type) {
    case 'WebhookRegistered': {
      const webhook = { ...typed.data, registeredAt: event.metadata.occurredAt, position: event.position };
      return new Map(state).set(typed.data.webhookId, webhook);
    }
    case 'WebhookDeleted': {
      if (!state.has(typed.data.webhookId)) return state;
      const next = new Map(state);
      next.delete(typed.data.webhookId);
      return next;
    }
    case 'WebhookReplayRequested':
      return state;
    default: {
      const never: never = typed;
      return never;
    }
  }
}

export const foldWebhooks = (events: readonly StoredWebhookEvent[]): Webhooks =>
  events.reduce<Webhooks>(evolveWebhooks, new Map());
