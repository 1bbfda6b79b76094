import type { WebhookDelivery } from '#audit';
import type { DocumentWrite, ReadModelStore, StoredDocument } from '#eventsourcing';

/** The delivery log's documents in the read-model store, one per (webhook, event). */
export const DELIVERIES_COLLECTION = 'webhook-deliveries';

/** Positions as fixed-width text: the store lists by this column, newest first. */
const sortKey = (position: number): string => String(position).padStart(16, '0');

export const deliveryId = (delivery: Pick<WebhookDelivery, 'webhookId' | 'position'>): string =>
  `${delivery.webhookId}:${sortKey(delivery.position)}`;

export function deliveryWrite(delivery: WebhookDelivery): DocumentWrite {
  return {
    collection: DELIVERIES_COLLECTION,
    id: deliveryId(delivery),
    doc: delivery,
    index: {
      owner: delivery.webhookId,
      status: delivery.state,
      sortAt: sortKey(delivery.position),
      search: delivery.eventId.toLowerCase(),
    },
    position: delivery.position,
  };
}

export interface DeliveryPage {
  readonly webhookId?: string;
  readonly state?: WebhookDelivery['state'];
  /** Deliveries of events before this global position (a page's cursor). */
  readonly before?: number;
  readonly limit: number;
}

/** The newest deliveries first. */
export async function listDeliveries(readModels: ReadModelStore, page: DeliveryPage): Promise<WebhookDelivery[]> {
  const docs: StoredDocument<WebhookDelivery>[] = await readModels.list<WebhookDelivery>({
    collection: DELIVERIES_COLLECTION,
    limit: page.limit,
    ...(page.webhookId !== undefined ? { owner: page.webhookId } : {}),
    ...(page.state !== undefined ? { status: page.state } : {}),
    ...(page.before !== undefined ? { until: sortKey(page.before) } : {}),
  });
  return docs.map((stored) => stored.doc);
}

/** A webhook's pending deliveries of events after global position `after`, oldest first. */
export async function pendingDeliveriesOf(
  readModels: ReadModelStore,
  webhookId: string,
  after: number,
  limit: number,
): Promise<WebhookDelivery[]> {
  const page = await readModels.list<WebhookDelivery>({
    collection: DELIVERIES_COLLECTION,
    owner: webhookId,
    status: 'pending',
    since: sortKey(after + 1),
    order: 'oldest',
    limit,
  });
  return page.map((stored) => stored.doc);
}

/** The position of an event a webhook was sent, by the event's id; null if it never was. */
export async function deliveredPositionOf(
  readModels: ReadModelStore,
  webhookId: string,
  eventId: string,
): Promise<number | null> {
  const [found] = await readModels.list<WebhookDelivery>({
    collection: DELIVERIES_COLLECTION,
    owner: webhookId,
    text: eventId.toLowerCase(),
    limit: 1,
  });
  return found && found.doc.eventId === eventId ? found.doc.position : null;
}
