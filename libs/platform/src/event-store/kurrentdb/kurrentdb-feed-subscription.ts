import {
  START,
  excludeSystemEvents,
  type AllStreamSubscription,
  type KurrentDBClient,
} from '@kurrent/kurrentdb-client';
import type { Logger } from '../../logging/logger.js';
import type { CommittedFeed } from '#eventsourcing';
import { toPosition, toRecorded } from './kurrentdb-mapping.js';

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;

/**
 * The one subscription to $all behind a store's live feed. It always (re)starts right
 * after the feed's head rather than at END, so a dropped connection leaves no gap: the
 * first start uses the head read when the store opened, which is equivalent to END.
 */
export class KurrentDbFeedSubscription {
  private subscription: AllStreamSubscription | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempts = 0;
  private stopped = false;

  constructor(
    private readonly client: KurrentDBClient,
    private readonly feed: CommittedFeed,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.stopped) return;
    const head = this.feed.head;
    const subscription = this.client.subscribeToAll({
      fromPosition: head === 0 ? START : toPosition(head),
      filter: excludeSystemEvents(),
    });
    subscription.on('data', (resolved) => {
      const event = toRecorded(resolved);
      if (!event) return;
      this.attempts = 0;
      this.feed.publish([event]);
    });
    subscription.on('error', (error) => this.restart(subscription, error));
    subscription.on('end', () => this.restart(subscription, new Error('subscription ended by the server')));
    this.subscription = subscription;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.unsubscribe().catch(() => undefined);
  }

  private restart(subscription: AllStreamSubscription, error: Error): void {
    if (subscription !== this.subscription || this.stopped) return;
    this.subscription = undefined;
    const delay = Math.min(RETRY_MIN_MS * 2 ** this.attempts, RETRY_MAX_MS);
    this.attempts += 1;
    this.logger.warn({ err: error, retryInMs: delay }, 'KurrentDB live subscription dropped; resubscribing');
    void subscription.unsubscribe().catch(() => undefined);
    this.retryTimer = setTimeout(() => this.start(), delay);
    this.retryTimer.unref();
  }
}
