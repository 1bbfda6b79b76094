import { describe, expect, it } from '@jest/globals';
import { laneOf, newDelivery, type WebhookDelivery } from '#audit';
import { deliveryId } from './webhook-delivery-log.js';
import { PendingDeliveries } from './pending-deliveries.js';

const owed = (webhookId: string, streamId: string, position: number): WebhookDelivery =>
  newDelivery(
    webhookId,
    { streamId, revision: position, position, type: 'T', metadata: { eventId: `e${position}` } },
    new Date(0),
  );
const positions = (pending: PendingDeliveries, busy: ReadonlySet<string> = new Set()) =>
  [...pending.heads(busy)].map((delivery) => delivery.position);

describe('pending deliveries by lane', () => {
  it('offers the first of each lane, keeps lanes in position order whatever the order of arrival', () => {
    const pending = new PendingDeliveries();
    for (const delivery of [owed('w', 'a', 5), owed('w', 'a', 9), owed('w', 'b', 7), owed('v', 'a', 8)])
      pending.set(delivery);
    pending.set(owed('w', 'a', 2)); // a replay owes an earlier event again
    expect(positions(pending)).toEqual([2, 7, 8]);
    expect(positions(pending, new Set([laneOf(owed('w', 'a', 0))]))).toEqual([7, 8]);

    const retried = { ...owed('w', 'a', 2), attempts: 1 };
    pending.set(retried);
    expect(pending.get(deliveryId(retried))).toBe(retried);
    expect(positions(pending)).toEqual([2, 7, 8]);

    pending.delete(deliveryId(retried));
    pending.delete(deliveryId(owed('w', 'a', 5)));
    expect(positions(pending)).toEqual([9, 7, 8]);
    pending.deleteWebhook('w');
    expect(positions(pending)).toEqual([8]);
    expect(pending.get(deliveryId(owed('w', 'a', 9)))).toBeUndefined();
  });
});
