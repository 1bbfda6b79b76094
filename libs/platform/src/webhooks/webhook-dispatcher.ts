import {
  afterAttempt,
  evolveWebhooks,
  foldWebhooks,
  laneOf,
  newDelivery,
  planDeliveries,
  readWebhookEvent,
  toCloudEvent,
  webhookRequest,
  webhookWants,
  WEBHOOKS_STREAM,
  type AttemptOutcome,
  type Webhook,
  type WebhookDelivery,
  type Webhooks,
} from '#audit';
import { WakeLoop, type EventStore, type HostedRunner, type ReadModelStore, type RecordedEvent } from '#eventsourcing';
import type { WebhookSettings } from '../config/settings-sections.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { checkpointLags, checkpointPosition } from '../read-models/checkpoint-lag.js';
import { jitteredBackoff } from '../resilience/backoff.js';
import { deliveryId, deliveryWrite, pendingDeliveriesOf } from './webhook-delivery-log.js';
import { PendingDeliveries } from './pending-deliveries.js';
import { WebhookSender, type SendWebhook } from './webhook-sender.js';

export const WEBHOOK_DISPATCHER = 'webhooks';
const VERSION = 1;
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface WebhookDispatcherOptions {
  readonly store: EventStore;
  readonly readModels: ReadModelStore;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly settings: Pick<WebhookSettings, 'timeoutMs' | 'maxConcurrent' | 'pendingMax' | 'retry' | 'allowedNetworks'>;
  /** The webhook's signing secret (webhookSecretFor with the deployment's key). */
  readonly secretOf: (webhookId: string) => string;
  readonly send?: SendWebhook;
  readonly now?: () => Date;
  /** Events read and checkpointed together (default 200). */
  readonly batchSize?: number;
}

interface DispatchState {
  checkpoint: number;
  webhooks: Webhooks;
  readonly pending: PendingDeliveries;
}

/** An attempt under way: it holds its lane, and a slot, until its outcome is committed. */
interface Attempt {
  readonly delivery: WebhookDelivery;
  readonly abort: AbortController;
  readonly done: Promise<void>;
  /** The delivery after the attempt, or why the attempt could not be made; unset while under way. */
  settled?: { readonly next: WebhookDelivery } | { readonly error: unknown };
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
 * webhooks do not wait for each other: each attempt runs on its own, up to maxConcurrent at
 * once, and when one ends the next run of the loop commits its outcome (with whatever else
 * ended meanwhile) and gives the freed slot to any due delivery. Of what each webhook is
 * owed it holds the first WEBHOOK_PENDING_MAX (PendingDeliveries), the rest waiting in the log.
 */
export class WebhookDispatcher implements HostedRunner {
  readonly name = WEBHOOK_DISPATCHER;
  private readonly loop: WakeLoop;
  private state: DispatchState | null = null;
  private retryTimer: NodeJS.Timeout | undefined;
  /** By lane. */
  private readonly attempts = new Map<string, Attempt>();
  private readonly now: () => Date;
  private readonly sender: WebhookSender;
  private readonly send: SendWebhook;

  constructor(private readonly options: WebhookDispatcherOptions) {
    const retryDelay = jitteredBackoff({ minMs: 200, maxMs: 10_000 });
    this.now = options.now ?? (() => new Date());
    this.sender = new WebhookSender(options.settings.allowedNetworks);
    this.send = options.send ?? this.sender.send;
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
    await this.finishAttempts();
    this.sender.close();
    this.state = null;
    this.options.metrics?.webhookDeliveriesHeld.set(0);
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
      await this.recordSettled(state);
      await this.intake(state);
      await this.refill(state);
      this.launchDue(state);
    } catch (error) {
      if (error instanceof CheckpointMoved) {
        await this.abandonAttempts();
        this.state = null;
      }
      throw error;
    }
  }

  /** The registrations at the checkpoint; what each webhook is owed stays in the log until refill loads its first page. */
  private async load(): Promise<DispatchState> {
    const checkpoint = await this.checkpoint();
    const registrations = await this.options.store.readStream(WEBHOOKS_STREAM);
    const webhooks = foldWebhooks(registrations.filter((event) => event.position <= checkpoint));
    const { pendingMax, maxConcurrent } = this.options.settings;
    // What is under way stays held whatever the cap: the window is never smaller than that.
    const pending = new PendingDeliveries(Math.max(pendingMax, maxConcurrent));
    for (const webhookId of webhooks.keys()) pending.track(webhookId);
    return { checkpoint, webhooks, pending };
  }

  /** Loads the next page of the log of each webhook that holds half its window or less. */
  private async refill(state: DispatchState): Promise<void> {
    for (const refill of state.pending.refills()) {
      if (!this.loop.active) return;
      const page = await pendingDeliveriesOf(this.options.readModels, refill.webhookId, refill.after, refill.limit);
      state.pending.fill(refill, page, new Set(this.attempts.keys()));
    }
    this.options.metrics?.webhookDeliveriesHeld.set(state.pending.size);
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
    if (change?.type === 'WebhookDeleted') state.pending.deleteWebhook(change.data.webhookId);
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

  /**
   * Starts an attempt for each due head of a free lane, as many as there are free slots, and
   * wakes the loop when the next free lane's head is due (with every slot taken, an attempt
   * ending wakes it).
   */
  private launchDue(state: DispatchState): void {
    if (!this.loop.active) return;
    const { maxConcurrent } = this.options.settings;
    const busy = new Set(this.attempts.keys());
    const now = this.now();
    const plan = planDeliveries(state.pending.heads(busy), now, maxConcurrent - this.attempts.size, busy);
    for (const delivery of plan.due) {
      const abort = new AbortController();
      const attempt: Attempt = {
        delivery,
        abort,
        done: this.attempt(state, delivery, abort.signal)
          .then(
            (next) => ({ next }),
            (error: unknown) => ({ error }),
          )
          .then((settled) => {
            if (this.attempts.get(laneOf(delivery)) !== attempt) return;
            attempt.settled = settled;
            this.loop.wake();
          }),
      };
      this.attempts.set(laneOf(delivery), attempt);
    }
    if (plan.nextDueAt === null || this.attempts.size >= maxConcurrent) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, plan.nextDueAt - now.getTime()));
    this.retryTimer = setTimeout(() => this.loop.wake(), delay);
  }

  /**
   * Commits the outcomes of the attempts that ended, and frees their lanes. An outcome whose
   * delivery was replaced meanwhile (a replay owes it afresh) or dropped (its webhook deleted)
   * is not written. An attempt that could not be made (the store failing) fails the run, to be
   * tried again after the loop's backoff.
   */
  private async recordSettled(state: DispatchState): Promise<void> {
    const ended = [...this.attempts].filter(([, attempt]) => attempt.settled);
    if (ended.length === 0) return;
    const outcomes: WebhookDelivery[] = [];
    let failure: { error: unknown } | undefined;
    for (const [, { delivery, settled }] of ended) {
      if (!settled) continue;
      if (!('next' in settled)) failure ??= settled;
      else if (state.pending.get(deliveryId(delivery)) === delivery) outcomes.push(settled.next);
    }
    if (outcomes.length > 0) await this.commit(state, state.checkpoint, outcomes);
    for (const [lane] of ended) this.attempts.delete(lane);
    for (const next of outcomes) this.report(next);
    if (failure) throw failure.error;
  }

  /**
   * On stop, the attempts under way end (each within the timeout) and their outcomes are
   * written, so a handover does not send them twice; what cannot be written is sent again.
   */
  private async finishAttempts(): Promise<void> {
    await Promise.all([...this.attempts.values()].map((attempt) => attempt.done));
    const state = this.state;
    try {
      if (state) await this.recordSettled(state);
    } catch (error) {
      if (!(error instanceof CheckpointMoved))
        this.options.logger.warn({ err: error }, 'webhook attempts not written on stop; they will be made again');
    } finally {
      this.attempts.clear();
    }
  }

  /** Aborts the attempts under way (the checkpoint is another's); their outcomes are not written. */
  private async abandonAttempts(): Promise<void> {
    const abandoned = [...this.attempts.values()];
    this.attempts.clear();
    for (const attempt of abandoned) attempt.abort.abort();
    await Promise.all(abandoned.map((attempt) => attempt.done));
  }

  private async attempt(
    state: DispatchState,
    delivery: WebhookDelivery,
    signal: AbortSignal,
  ): Promise<WebhookDelivery> {
    const { settings, secretOf } = this.options;
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
      outcome = await this.send(webhook.url, request, { timeoutMs: settings.timeoutMs, signal });
    }
    return afterAttempt(delivery, outcome, this.now(), settings.retry);
  }

  private report(next: WebhookDelivery): void {
    const { logger, metrics } = this.options;
    metrics?.webhookAttempts.inc({ outcome: next.state === 'pending' ? 'retry' : next.state });
    if (next.state === 'failed')
      logger.warn(
        { webhookId: next.webhookId, eventId: next.eventId, error: next.lastError },
        'webhook delivery failed for good',
      );
    else if (next.state === 'pending' && next.attempts === 1)
      logger.info(
        { webhookId: next.webhookId, eventId: next.eventId, error: next.lastError },
        'webhook delivery refused; retrying',
      );
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
    const busy = new Set(this.attempts.keys());
    for (const delivery of deliveries) {
      const id = deliveryId(delivery);
      if (delivery.state === 'pending' && state.webhooks.has(delivery.webhookId)) state.pending.set(delivery, busy);
      else state.pending.delete(id);
    }
    this.options.metrics?.webhookDeliveriesHeld.set(state.pending.size);
  }
}
