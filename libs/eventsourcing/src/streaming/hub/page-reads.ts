import type { RecordedEvent } from '../../event-store/event-store.port.js';
import type { FollowSource } from '../catch-up.js';
import type { HubEntry } from './hub-sink.js';

export interface Page<Frame> {
  readonly entries: ReadonlyArray<HubEntry<Frame>>;
  /** Fewer than a page: the read reached what the store held then. */
  readonly short: boolean;
}

/** Full pages kept for catch-ups that come after: a full page never changes. */
const KEPT_FULL_PAGES = 8;

/**
 * A hub's store reads, shared: catch-ups from the same key at the same time (a hundred
 * clients resuming after one dropped connection) wait for one read and one projection.
 * A short page stays valid only until the hub sees a newer live event; full pages are
 * immutable and a few are kept for readers that follow the same path.
 */
export class PageReads<Frame> {
  private readonly inFlight = new Map<number, Promise<Page<Frame>>>();
  private readonly full = new Map<number, Page<Frame>>();

  constructor(
    private readonly source: FollowSource,
    private readonly entry: (event: RecordedEvent) => HubEntry<Frame>,
    private readonly pageSize: number,
  ) {}

  read(after: number): Promise<Page<Frame>> {
    const kept = this.full.get(after);
    if (kept) return Promise.resolve(kept);
    const shared = this.inFlight.get(after);
    if (shared) return shared;
    const reading = this.source.read(after, this.pageSize).then((events) => {
      const page = { entries: events.map(this.entry), short: events.length < this.pageSize };
      if (this.inFlight.get(after) === reading) this.inFlight.delete(after);
      if (!page.short) this.keep(after, page);
      return page;
    });
    this.inFlight.set(after, reading);
    reading.catch(() => {
      if (this.inFlight.get(after) === reading) this.inFlight.delete(after);
    });
    return reading;
  }

  /** A newer event exists: reads started before it may have missed it. */
  invalidateShort(): void {
    this.inFlight.clear();
  }

  /** Nobody is catching up: the kept pages would only hold memory. */
  forget(): void {
    this.full.clear();
  }

  private keep(after: number, page: Page<Frame>): void {
    this.full.set(after, page);
    if (this.full.size <= KEPT_FULL_PAGES) return;
    const oldest = this.full.keys().next();
    if (!oldest.done) this.full.delete(oldest.value);
  }
}
