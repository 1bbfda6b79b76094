import { Inject, Injectable } from '@nestjs/common';
import {
  foldWebhooks,
  webhookSecretFor,
  WEBHOOKS_STREAM,
  type Webhook,
  type WebhookDelivery,
  type WebhookEvent,
  type WebhookMode,
} from '#audit';
import { deliveredPositionOf, listDeliveries, newId, WebhookEgress, type DeliveryPage, type Runtime } from '#platform';
import { ApiError, notFound } from '../http/api-error.js';
import { ID_SECRET, RUNTIME } from '../tokens.js';

export interface Registration {
  readonly url: string;
  readonly events?: readonly string[] | undefined;
  readonly streams?: readonly string[] | undefined;
  readonly mode?: WebhookMode | undefined;
}

interface Actor {
  readonly userId: string;
  readonly correlationId: string;
}

/**
 * Registrations are events of the `webhooks` stream, appended here and folded whole on each
 * read (a handful of admin facts): every api process answers from the store itself, so a
 * webhook is listed the moment it is registered, wherever the next request lands.
 */
@Injectable()
export class WebhookRegistrations {
  private readonly egress: WebhookEgress;

  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(ID_SECRET) private readonly idSecret: string,
  ) {
    this.egress = new WebhookEgress(runtime.settings.webhooks.allowedNetworks);
  }

  /**
   * A URL whose host deliveries may never reach is refused here, where the admin sees why; a
   * name is checked on each delivery's connection, where its last_error says why.
   */
  async register(registration: Registration, actor: Actor): Promise<{ webhook: Webhook; secret: string }> {
    const refused = this.egress.refusalOfHost(new URL(registration.url).hostname);
    if (refused)
      throw new ApiError(400, 'VALIDATION_ERROR', `invalid body: url: ${refused}`, [
        { field: 'url', message: refused },
      ]);
    const webhookId = newId();
    await this.append(
      {
        type: 'WebhookRegistered',
        data: {
          webhookId,
          url: registration.url,
          events: registration.events ?? [],
          streams: registration.streams ?? [],
          mode: registration.mode ?? 'structured',
          registeredBy: actor.userId,
        },
      },
      actor,
    );
    const webhook = await this.get(webhookId);
    return { webhook, secret: webhookSecretFor(this.idSecret, webhookId) };
  }

  async list(): Promise<Webhook[]> {
    const webhooks = foldWebhooks(await this.runtime.store.readStream(WEBHOOKS_STREAM));
    return [...webhooks.values()].sort((a, b) => a.position - b.position);
  }

  async get(webhookId: string): Promise<Webhook> {
    const webhook = (await this.list()).find((candidate) => candidate.webhookId === webhookId);
    if (!webhook) throw notFound('webhook', webhookId);
    return webhook;
  }

  async delete(webhookId: string, actor: Actor): Promise<void> {
    await this.get(webhookId);
    await this.append({ type: 'WebhookDeleted', data: { webhookId, deletedBy: actor.userId } }, actor);
  }

  /** `from`: a global position, or the id of an event this webhook was sent; inclusive. */
  async replay(webhookId: string, from: number | string, actor: Actor): Promise<number> {
    await this.get(webhookId);
    const position = await this.positionOf(webhookId, from);
    await this.append(
      { type: 'WebhookReplayRequested', data: { webhookId, from: position, requestedBy: actor.userId } },
      actor,
    );
    return position;
  }

  async deliveries(webhookId: string, page: Omit<DeliveryPage, 'webhookId'>): Promise<WebhookDelivery[]> {
    await this.get(webhookId);
    return listDeliveries(this.runtime.readModels, { ...page, webhookId });
  }

  private async positionOf(webhookId: string, from: number | string): Promise<number> {
    if (typeof from === 'number') return from;
    if (/^\d{1,15}$/.test(from)) return Number(from);
    const position = await deliveredPositionOf(this.runtime.readModels, webhookId, from);
    if (position === null)
      throw new ApiError(
        400,
        'VALIDATION_ERROR',
        `invalid body: from: event ${from} is not in this webhook's delivery log; give a global position instead`,
      );
    return position;
  }

  private async append(event: WebhookEvent, actor: Actor): Promise<void> {
    const metadata = {
      eventId: newId(),
      commandId: newId(),
      correlationId: actor.correlationId,
      userId: actor.userId,
      occurredAt: new Date().toISOString(),
    };
    await this.runtime.store.appendToStream(WEBHOOKS_STREAM, [{ ...event, metadata }], 'any');
  }
}
