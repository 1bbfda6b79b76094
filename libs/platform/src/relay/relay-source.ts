import type { Observable } from 'rxjs';

/**
 * What a JetStreamRelay publishes: items with a strictly increasing position. The message
 * body must be JSON with that `position` at its top level: the stream's last message is the
 * relay's checkpoint.
 */
export interface RelaySource<Item> {
  /** At most `max` items after `position`, in position order. */
  read(after: number, max: number): Promise<readonly Item[]>;
  /** Emits when new items may exist. */
  readonly wake$: Observable<unknown>;
  position(item: Item): number;
  /** The subject under the relay's prefix, e.g. `investigation.InvestigationStarted`. */
  subject(item: Item): string;
  /** Nats-Msg-Id and body. */
  message(item: Item): { readonly id: string; readonly body: string };
}
