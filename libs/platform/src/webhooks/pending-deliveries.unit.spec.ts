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
    const pending = new PendingDeliveries(100);
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

  it('holds at most its capacity per webhook, the first of its log, and lets the rest wait there', () => {
    const pending = new PendingDeliveries(4);
    for (let position = 1; position <= 10; position++) pending.set(owed('w', position % 2 ? 'a' : 'b', position));
    pending.set(owed('v', 'a', 11));
    expect(pending.size).toBe(5);
    expect(positions(pending)).toEqual([1, 2, 11]);
    // Another webhook is not held back by the first one's window.
    expect(pending.refills()).toEqual([]);

    // Delivered, the first ones leave: at half its capacity, the webhook asks the log for the rest.
    pending.delete(deliveryId(owed('w', 'a', 1)));
    pending.delete(deliveryId(owed('w', 'b', 2)));
    expect(positions(pending)).toEqual([3, 4, 11]);
    const [refill] = pending.refills();
    expect(refill).toEqual({ webhookId: 'w', after: 4, limit: 2 });
    if (!refill) throw new Error('no refill');
    pending.fill(refill, [owed('w', 'a', 5), owed('w', 'b', 6)]);
    expect(pending.size).toBe(5);
    expect(pending.refills()).toEqual([]);
  });

  it('keeps each lane a prefix when a replay owes earlier events, and never lets go of one under way', () => {
    const pending = new PendingDeliveries(3);
    for (const position of [5, 6, 7]) pending.set(owed('w', 'a', position));
    const busy = new Set([laneOf(owed('w', 'b', 0))]);
    pending.set(owed('w', 'b', 8)); // past the window: in the log only
    expect(pending.get(deliveryId(owed('w', 'b', 8)))).toBeUndefined();
    for (const position of [1, 2]) pending.set(owed('w', 'b', position), busy);
    // Lane b's head (1) is under way: the window gave back a's last ones instead.
    expect(positions(pending)).toEqual([5, 1]);
    expect(pending.size).toBe(3);
    expect(pending.refills()).toEqual([]);
    pending.delete(deliveryId(owed('w', 'b', 1)));
    pending.delete(deliveryId(owed('w', 'b', 2)));
    expect(pending.refills()).toEqual([{ webhookId: 'w', after: 5, limit: 2 }]);
  });

  it('loads a tracked webhook from its first delivery, and knows the log is done on a short page', () => {
    const pending = new PendingDeliveries(10);
    pending.track('w');
    pending.set(owed('w', 'a', 3)); // owed meanwhile: the first page will bring it
    expect(pending.size).toBe(0);
    const refill = { webhookId: 'w', after: 0, limit: 10 };
    expect(pending.refills()).toEqual([refill]);
    pending.fill(refill, [owed('w', 'a', 2), owed('w', 'a', 3)]);
    expect(positions(pending)).toEqual([2]);
    expect(pending.refills()).toEqual([]);
    pending.set(owed('w', 'a', 4));
    expect(pending.size).toBe(3);
  });
});
