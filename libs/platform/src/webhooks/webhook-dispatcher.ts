import {
  afterAttempt,
  dueDeliveries,
  evolveWebhooks,
  foldWebhooks,
  newDelivery,
  nextDueAt,
  readWebhookEvent,
  toCloudEvent,
  webhookRequest,
  webhookWants,
  WEBHOOKS_STREAM,
  type AttemptOutcome,
  type Webhook,
  type WebhookDelivery,
  type WebhookRequest,
  type Webhooks,
} from '#audit';
import { WakeLoop, type EventStore, type HostedRunner, type ReadModelStore, type RecordedEvent } from '#eventsourcing';
import type { WebhookSettings } from '../config/settings-sections.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { checkpointLags, checkpointPosition } from '../read-models/checkpoint-lag.js';
import { jitteredBackoff } from '../resilience/backoff.js';
import { deliveryId, deliveryWrite, pendingDeliveries } from './webhook-delivery-log.js';
import { sendWebhook } from './webhook-sender.js';

export const WEBHOOK_DISPATCHER = 'webhooks';
const VERSION = 1;
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface WebhookDispatcherOptions {
  readonly store: EventStore;
  readonly readModels: ReadModelStore;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly settings: Pick<WebhookSettings, 'timeoutMs' | 'maxConcurrent' | 'retry'>;
  /** The webhook's signing secret (webhookSecretFor with the deployment's key). */
  readonly secretOf: (webhookId: string) => string;
  readonly send?: (url: string, request: WebhookRequest, options: { timeoutMs: number }) => Promise<AttemptOutcome>;
  readonly now?: () => Date;
  /** Events read and checkpointed together (default 200). */
  readonly batchSize?: number;
}

interface DispatchState {
  checkpoint: number;
  webhooks: Webhooks;
  readonly pending: Map<string, WebhookDelivery>;
}

class CheckpointMoved extends Error {
  constructor() {
    super('the webhook checkpoint moved under this dispatcher; reloading');
  }
}

/**
 * Delivers stored events to registered webhooks. It follows the store in global order from
 * its checkpoint (in the read-model store): registrations are folded as they come, and each
 * later event a webhook wants becomes a pending delivery, written with the checkpoint. The
 * delivery log is those documents: each attempt updates its row, so what is owed survives a
 * restart, and an attempt whose outcome was not recorded is made again (at least once, with
 * the same webhook-id). A stream's next event waits for the one before it; streams and
 * webhooks do not wait for each other, up to maxConcurrent requests at once.
 */
export class WebhookDispatcher implements HostedRunner {
  readonly name = WEBHOOK_DISPATCHER;
  private readonly loop: WakeLoop;
  private state: DispatchState | null = null;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly now: () => Date;
  private readonly send: NonNullable<WebhookDispatcherOptions['send']>;

  constructor(private readonly options: WebhookDispatcherOptions) {
    const retryDelay = jitteredBackoff({ minMs: 200, maxMs: 10_000 });
    this.now = options.now ?? (() => new Date());
    this.send = options.send ?? sendWebhook;
    this.loop = new WakeLoop(() => this.run(), {
      retryDelay: (failures) => retryDelay(failures - 1),
      onError: (error, failures) =>
        options.logger.warn({ err: error, failures }, 'webhook dispatch failed; trying again'),
      wakeOn: () => options.store.subscribe(),
    });
  }

  get active(): boolean {
    return this.loop.active;
  }

  start(): void {
    this.state = null;
    this.loop.start();
  }

  async stop(): Promise<void> {
    clearTimeout(this.retryTimer);
    await this.loop.stop();
    clearTimeout(this.retryTimer);
    this.state = null;
  }

  /** Position of the last event taken into account. */
  checkpoint(): Promise<number> {
    return checkpointPosition(this.options.readModels, this.name);
  }

  /** Events in the store not taken into account yet, as projection_lag_events{projection} reports them. */
  lags(): Promise<ReadonlyMap<string, number>> {
    return checkpointLags(this.options.store, this.options.readModels, this.name);
  }

  private async run(): Promise<void> {
    clearTimeout(this.retryTimer);
    try {
      const state = this.state ?? (this.state = await this.load());
      let sent: number;
      do {
        await this.intake(state);
        sent = await this.deliverDue(state);
      } while (sent > 0 && this.loop.active);
      this.scheduleRetry(state);
    } catch (error) {
      if (error instanceof CheckpointMoved) this.state = null;
      throw error;
    }
  }

  private async load(): Promise<DispatchState> {
    const { store, readModels } = this.options;
    const checkpoint = await this.checkpoint();
    const registrations = await store.readStream(WEBHOOKS_STREAM);
    const webhooks = foldWebhooks(registrations.filter((event) => event.position <= checkpoint));
    const pending = new Map<string, WebhookDelivery>();
    for (const delivery of await pendingDeliveries(readModels))
      if (webhooks.has(delivery.webhookId)) pending.set(deliveryId(delivery), delivery);
    return { checkpoint, webhooks, pending };
  }

  /**
   * Reads after the checkpoint a page at a time. A page ends at a registration change, so a
   * webhook gets exactly the events after its registration and none after its deletion.
   */
  private async intake(state: DispatchState): Promise<void> {
    const batchSize = this.options.batchSize ?? 200;
    while (this.loop.active) {
      const events = await this.options.store.readAll({ after: state.checkpoint, maxCount: batchSize });
      const cut = events.findIndex((event) => event.streamId === WEBHOOKS_STREAM);
      const page = cut < 0 ? events : events.slice(0, cut + 1);
      const last = page.at(-1);
      if (!last) return;
      const now = this.now();
      const owed = page.flatMap((event) =>
        [...state.webhooks.values()]
          .filter((webhook) => webhookWants(webhook, event))
          .map((webhook) => newDelivery(webhook.webhookId, event, now)),
      );
      if (cut >= 0) await this.registrationChanged(state, last);
      await this.commit(state, last.position, owed);
    }
  }

  private async registrationChanged(state: DispatchState, event: RecordedEvent): Promise<void> {
    const change = readWebhookEvent(event);
    state.webhooks = evolveWebhooks(state.webhooks, event);
    if (change?.type === 'WebhookDeleted')
      for (const [id, delivery] of state.pending)
        if (delivery.webhookId === change.data.webhookId) state.pending.delete(id);
    const webhook = change?.type === 'WebhookReplayRequested' ? state.webhooks.get(change.data.webhookId) : undefined;
    if (change?.type === 'WebhookReplayRequested' && webhook)
      await this.replay(state, webhook, change.data.from, event.position);
  }

  /** Every event the webhook wants from `from` (inclusive) up to the request is owed again, from scratch. */
  private async replay(state: DispatchState, webhook: Webhook, from: number, until: number): Promise<void> {
    let after = Math.max(0, from - 1);
    while (after < until && this.loop.active) {
      const read = await this.options.store.readAll({ after, maxCount: this.options.batchSize ?? 200 });
      const events = read.filter((event) => event.position < until);
      const last = events.at(-1);
      if (!last) return;
      const now = this.now();
      const owed = events
        .filter((event) => webhookWants(webhook, event))
        .map((event) => newDelivery(webhook.webhookId, event, now));
      await this.commit(state, state.checkpoint, owed);
      after = last.position;
    }
  }

  private async deliverDue(state: DispatchState): Promise<number> {
    const due = dueDeliveries(state.pending.values(), this.now(), this.options.settings.maxConcurrent);
    if (due.length === 0) return 0;
    const attempted = await Promise.all(due.map((delivery) => this.attempt(state, delivery)));
    await this.commit(state, state.checkpoint, attempted);
    return due.length;
  }

  private async attempt(state: DispatchState, delivery: WebhookDelivery): Promise<WebhookDelivery> {
    const { settings, secretOf, logger } = this.options;
    const webhook = state.webhooks.get(delivery.webhookId);
    const [event] = await this.options.store.readStream(delivery.streamId, {
      after: delivery.revision - 1,
      maxCount: 1,
    });
    let outcome: AttemptOutcome;
    if (!webhook || !event) outcome = { status: null, error: 'the webhook or the event is gone' };
    else {
      const timestamp = Math.floor(this.now().getTime() / 1000);
      const request = webhookRequest(toCloudEvent(event), webhook.mode, secretOf(webhook.webhookId), timestamp);
      outcome = await this.send(webhook.url, request, { timeoutMs: settings.timeoutMs });
    }
    const next = afterAttempt(delivery, outcome, this.now(), settings.retry);
    this.options.metrics?.webhookAttempts.inc({ outcome: next.state === 'pending' ? 'retry' : next.state });
    if (next.state === 'failed')
      logger.warn(
        { webhookId: delivery.webhookId, eventId: delivery.eventId, error: next.lastError },
        'webhook delivery failed for good',
      );
    else if (next.state === 'pending' && next.attempts === 1)
      logger.info(
        { webhookId: delivery.webhookId, eventId: delivery.eventId, error: next.lastError },
        'webhook delivery refused; retrying',
      );
    return next;
  }

  private async commit(state: DispatchState, to: number, deliveries: readonly WebhookDelivery[]): Promise<void> {
    const moved = await this.options.readModels.commit({
      projection: this.name,
      version: VERSION,
      from: state.checkpoint,
      to,
      writes: deliveries.map(deliveryWrite),
    });
    if (!moved) throw new CheckpointMoved();
    state.checkpoint = to;
    for (const delivery of deliveries) {
      const id = deliveryId(delivery);
      if (delivery.state === 'pending' && state.webhooks.has(delivery.webhookId)) state.pending.set(id, delivery);
      else state.pending.delete(id);
    }
  }

  private scheduleRetry(state: DispatchState): void {
    const at = nextDueAt(state.pending.values());
    if (at === null || !this.loop.active) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, at - this.now().getTime()));
    this.retryTimer = setTimeout(() => this.loop.wake(), delay);
  }
}
