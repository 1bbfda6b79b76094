import { laneOf, type WebhookDelivery } from '#audit';
import { deliveryId } from './webhook-delivery-log.js';

/** Where `position` goes in a lane kept in position order (usually at its end). */
function indexFor(lane: readonly WebhookDelivery[], position: number): number {
  if (lane.length === 0 || (lane.at(-1) as WebhookDelivery).position < position) return lane.length;
  let low = 0;
  let high = lane.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((lane[mid] as WebhookDelivery).position < position) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * What one webhook holds: every pending delivery of its log up to `horizon` (a global
 * position; null: all of them), and any under way past it, by lane.
 */
interface WebhookWindow {
  readonly lanes: Map<string, WebhookDelivery[]>;
  size: number;
  horizon: number | null;
}

/** A page of a webhook's log to load: its pending deliveries after `after`, oldest first, at most `limit`. */
export interface WindowRefill {
  readonly webhookId: string;
  readonly after: number;
  readonly limit: number;
}

const NONE: ReadonlySet<string> = new Set();

/** The held delivery last in position order whose lane is not `busy` with it. */
function lastIdle(window: WebhookWindow, busy: ReadonlySet<string>): WebhookDelivery | undefined {
  let last: WebhookDelivery | undefined;
  for (const [key, lane] of window.lanes) {
    const tail = lane.at(-1);
    if (!tail || (lane.length === 1 && busy.has(key))) continue;
    if (!last || tail.position > last.position) last = tail;
  }
  return last;
}

/**
 * The dispatcher's pending deliveries, by id and by lane (webhook, stream), each lane in
 * position order: finding what to send next costs the number of lanes, not of deliveries.
 * Each webhook holds at most `capacity` of them, the first of its delivery log in position
 * order, so each of its lanes holds its own first ones; the others wait in the log, loaded
 * a page at a time once the webhook holds half or less. A receiver down for a day behind a
 * busy feed costs `capacity` deliveries, not a day of events, and the other webhooks do not
 * wait for it. A delivery under way (its lane `busy`) is never let go, so its outcome
 * finds it.
 */
export class PendingDeliveries {
  private readonly byId = new Map<string, WebhookDelivery>();
  private readonly windows = new Map<string, WebhookWindow>();

  constructor(private readonly capacity: number) {}

  /** Deliveries held, every webhook together. */
  get size(): number {
    return this.byId.size;
  }

  get(id: string): WebhookDelivery | undefined {
    return this.byId.get(id);
  }

  /** A webhook whose pending deliveries are all in the log, from its first: `refills` asks for them. */
  track(webhookId: string): void {
    if (!this.windows.has(webhookId)) this.windows.set(webhookId, { lanes: new Map(), size: 0, horizon: 0 });
  }

  /** The pages of the log that webhooks holding half their capacity or less have room for. */
  refills(): WindowRefill[] {
    const wanted: WindowRefill[] = [];
    for (const [webhookId, { horizon, size }] of this.windows)
      if (horizon !== null && size <= this.capacity / 2)
        wanted.push({ webhookId, after: horizon, limit: this.capacity - size });
    return wanted;
  }

  /** The page `refill` asked for, as the log listed it: shorter than its limit, the log had no more. */
  fill(refill: WindowRefill, page: readonly WebhookDelivery[], busy: ReadonlySet<string> = NONE): void {
    const window = this.windows.get(refill.webhookId);
    if (!window || window.horizon !== refill.after) return;
    // One under way past the horizon is held already, as it is now.
    for (const delivery of page) if (!this.byId.has(deliveryId(delivery))) this.hold(window, delivery);
    window.horizon = page.length < refill.limit ? null : (page.at(-1) as WebhookDelivery).position;
    this.trim(window, busy);
  }

  /** A delivery owed or updated, already in the log: held if it falls inside its webhook's window. */
  set(delivery: WebhookDelivery, busy: ReadonlySet<string> = NONE): void {
    let window = this.windows.get(delivery.webhookId);
    if (!window) {
      window = { lanes: new Map(), size: 0, horizon: null };
      this.windows.set(delivery.webhookId, window);
    }
    if (window.horizon !== null && delivery.position > window.horizon) return this.delete(deliveryId(delivery));
    this.hold(window, delivery);
    this.trim(window, busy);
  }

  delete(id: string): void {
    const delivery = this.byId.get(id);
    if (!delivery) return;
    this.byId.delete(id);
    const window = this.windows.get(delivery.webhookId);
    if (!window) return;
    const key = laneOf(delivery);
    const lane = window.lanes.get(key) ?? [];
    lane.splice(indexFor(lane, delivery.position), 1);
    window.size -= 1;
    if (lane.length === 0) window.lanes.delete(key);
    if (window.size === 0 && window.horizon === null) this.windows.delete(delivery.webhookId);
  }

  deleteWebhook(webhookId: string): void {
    const window = this.windows.get(webhookId);
    if (!window) return;
    for (const lane of window.lanes.values()) for (const delivery of lane) this.byId.delete(deliveryId(delivery));
    this.windows.delete(webhookId);
  }

  /** The first delivery of each lane not in `busy`. */
  *heads(busy: ReadonlySet<string>): Iterable<WebhookDelivery> {
    for (const window of this.windows.values())
      for (const [key, lane] of window.lanes) if (!busy.has(key) && lane[0]) yield lane[0];
  }

  private hold(window: WebhookWindow, delivery: WebhookDelivery): void {
    const id = deliveryId(delivery);
    const key = laneOf(delivery);
    const lane = window.lanes.get(key) ?? [];
    window.lanes.set(key, lane);
    const held = this.byId.has(id);
    lane.splice(indexFor(lane, delivery.position), held ? 1 : 0, delivery);
    if (!held) window.size += 1;
    this.byId.set(id, delivery);
  }

  /** Leaves the window's last deliveries to the log until it holds `capacity`, its horizon before them. */
  private trim(window: WebhookWindow, busy: ReadonlySet<string>): void {
    if (window.size <= this.capacity) return;
    let last = lastIdle(window, busy);
    while (last && window.size > this.capacity) {
      this.delete(deliveryId(last));
      last = lastIdle(window, busy);
    }
    window.horizon = last?.position ?? 0;
  }
}
