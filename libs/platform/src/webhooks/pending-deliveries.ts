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
 * The dispatcher's pending deliveries, by id and by lane (webhook, stream), each lane in
 * position order: finding what to send next costs the number of lanes, not of deliveries.
 */
export class PendingDeliveries {
  private readonly byId = new Map<string, WebhookDelivery>();
  private readonly lanes = new Map<string, WebhookDelivery[]>();

  get(id: string): WebhookDelivery | undefined {
    return this.byId.get(id);
  }

  set(delivery: WebhookDelivery): void {
    const id = deliveryId(delivery);
    const key = laneOf(delivery);
    const lane = this.lanes.get(key) ?? [];
    this.lanes.set(key, lane);
    const at = indexFor(lane, delivery.position);
    lane.splice(at, this.byId.has(id) ? 1 : 0, delivery);
    this.byId.set(id, delivery);
  }

  delete(id: string): void {
    const delivery = this.byId.get(id);
    if (!delivery) return;
    this.byId.delete(id);
    const key = laneOf(delivery);
    const lane = this.lanes.get(key) ?? [];
    lane.splice(indexFor(lane, delivery.position), 1);
    if (lane.length === 0) this.lanes.delete(key);
  }

  deleteWebhook(webhookId: string): void {
    for (const [id, delivery] of this.byId) if (delivery.webhookId === webhookId) this.delete(id);
  }

  /** The first delivery of each lane not in `busy`. */
  *heads(busy: ReadonlySet<string>): Iterable<WebhookDelivery> {
    for (const [key, lane] of this.lanes) if (!busy.has(key) && lane[0]) yield lane[0];
  }
}
