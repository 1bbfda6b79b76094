import type { Observable } from 'rxjs';

/** What a relay publishes for an item: JSON whose `id` is the Nats-Msg-Id and whose `position` is its place. */
export interface RelayMessage {
  readonly id: string;
  readonly position: number;
}

/**
 * What a JetStreamRelay publishes: items with a strictly increasing position. The stream's
 * last message is the relay's checkpoint, so every message carries its `position`.
 */
export interface RelaySource<Item> {
  /** At most `max` items after `position`, in position order. */
  read(after: number, max: number): Promise<readonly Item[]>;
  /** Emits when new items may exist. */
  readonly wake$: Observable<unknown>;
  /** The subject under the relay's prefix, e.g. `investigation.InvestigationStarted`. */
  subject(item: Item): string;
  /** The message body (CloudEvents JSON), sent as JSON. */
  message(item: Item): RelayMessage;
}
