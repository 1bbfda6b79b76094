import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { filter, Observable, type Subscription } from 'rxjs';
import { checkpointReached, type LiveFeed, type ReadModelStore, type StoredDocument } from '#eventsourcing';
import { INVESTIGATION_CATEGORY, INVESTIGATION_SUMMARIES, type InvestigationSummary } from '#investigations';
import type { Runtime } from '#platform';
import { LIVE_FEED, RUNTIME } from '../tokens.js';

type Summary = StoredDocument<InvestigationSummary>;
interface Listener {
  next(document: Summary): void;
  error(error: unknown): void;
}

const CHANGES_PAGE = 200;
/** A projector in another process may write after this api saw the event: how long a wake-up waits for it. */
const PROJECTION_WAIT_MS = 2_000;
/** When a wake-up's change was not projected in that time, the one loop looks again this much later. */
const RETRY_MS = 1_000;

/**
 * The summaries read model's changes, read once per process and handed to every list
 * subscriber: one pull loop woken by the live feed's investigation events, running while
 * anyone listens. A subscriber catches up on its own from its position, then takes the
 * loop's changes after what it has read: no gap, no duplicate.
 */
@Injectable()
export class SummaryChanges implements OnApplicationShutdown {
  private readonly listeners = new Set<Listener>();
  private readonly readModels: ReadModelStore;
  private running: Promise<void> | null = null;
  private wakes: Subscription | null = null;
  private retry: NodeJS.Timeout | null = null;
  /** Counts starts, so a start that finishes after a stop (and a new start) does nothing. */
  private round = 0;
  private cursor = 0;
  private wanted = 0;
  private pulling = false;
  private again = false;

  constructor(
    @Inject(RUNTIME) runtime: Pick<Runtime, 'readModels'>,
    @Inject(LIVE_FEED) private readonly feed: LiveFeed,
  ) {
    this.readModels = runtime.readModels;
  }

  /** Every summary changed after `after` (a position), then each later change as it is projected. */
  after(after: number): Observable<Summary> {
    return new Observable<Summary>((subscriber) => {
      let cursor = after;
      let caughtUp = false;
      let closed = false;
      const held: Summary[] = [];
      const deliver = (document: Summary): void => {
        if (document.position <= cursor) return;
        cursor = document.position;
        subscriber.next(document);
      };
      const listener: Listener = {
        next: (document) => (caughtUp ? deliver(document) : held.push(document)),
        error: (error) => subscriber.error(error),
      };
      const started = this.retain(listener);
      void (async () => {
        try {
          // After the loop holds its start: every change is then either read here or passed on by it.
          await started;
          for (let more = true; more && !closed;) {
            const page = await this.readModels.changes<InvestigationSummary>(
              INVESTIGATION_SUMMARIES,
              cursor,
              CHANGES_PAGE,
            );
            for (const document of page) if (!closed) deliver(document);
            more = page.length === CHANGES_PAGE;
          }
          caughtUp = true;
          for (const document of held.splice(0)) if (!closed) deliver(document);
        } catch (error) {
          subscriber.error(error);
        }
      })();
      return () => {
        closed = true;
        this.release(listener);
      };
    });
  }

  onApplicationShutdown(): void {
    this.stop();
  }

  /** Starts the loop for the first listener; resolves once it knows where it starts. */
  private retain(listener: Listener): Promise<void> {
    this.listeners.add(listener);
    this.running ??= this.start();
    return this.running;
  }

  private release(listener: Listener): void {
    this.listeners.delete(listener);
    if (this.listeners.size === 0) this.stop();
  }

  private async start(): Promise<void> {
    const round = ++this.round;
    let ready = false;
    // Woken from before the start is read, so no event falls between the two.
    const wakes = this.feed
      .all()
      .pipe(filter((event) => event.streamId.startsWith(`${INVESTIGATION_CATEGORY}-`)))
      .subscribe((event) => {
        this.wanted = Math.max(this.wanted, event.position);
        if (ready) void this.pull();
      });
    let cursor: number;
    try {
      cursor = (await this.readModels.checkpoint(INVESTIGATION_SUMMARIES))?.position ?? 0;
    } catch (error) {
      wakes.unsubscribe();
      for (const listener of [...this.listeners]) listener.error(error);
      return;
    }
    // Everyone left meanwhile, or a later round started: this one has nothing to run.
    if (this.listeners.size === 0 || round !== this.round) return void wakes.unsubscribe();
    this.wakes = wakes;
    this.cursor = cursor;
    ready = true;
    // Events the feed saw before this start may be projected only now: wait for them once.
    this.wanted = Math.max(this.wanted, this.feed.position);
    void this.pull();
  }

  private stop(): void {
    this.round += 1;
    this.wakes?.unsubscribe();
    this.wakes = null;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.running = null;
    this.wanted = 0;
  }

  private async pull(): Promise<void> {
    if (this.pulling) {
      this.again = true;
      return;
    }
    this.pulling = true;
    try {
      do {
        this.again = false;
        const wanted = this.wanted;
        const projected = await checkpointReached(this.readModels, INVESTIGATION_SUMMARIES, wanted, {
          timeoutMs: PROJECTION_WAIT_MS,
        });
        for (let more = true; more && this.wakes;) {
          const page = await this.readModels.changes<InvestigationSummary>(
            INVESTIGATION_SUMMARIES,
            this.cursor,
            CHANGES_PAGE,
          );
          for (const document of page) {
            this.cursor = document.position;
            for (const listener of this.listeners) listener.next(document);
          }
          more = page.length === CHANGES_PAGE;
        }
        if (!projected && this.wakes && !this.retry)
          this.retry = setTimeout(() => {
            this.retry = null;
            void this.pull();
          }, RETRY_MS);
      } while (this.again && this.wakes);
    } catch (error) {
      // Each subscriber ends with the error and may reconnect with its last event id.
      for (const listener of [...this.listeners]) listener.error(error);
    } finally {
      this.pulling = false;
    }
  }
}
