import { randomUUID } from 'node:crypto';
import type { NewEvent } from '#eventsourcing';

/** An event to append in a bench, with fresh ids: by one of ten users unless `userId` is given. */
export const benchEvent = (
  type: string,
  data: unknown,
  { userId = `user-${Math.floor(Math.random() * 10)}`, occurredAt = new Date().toISOString() } = {},
): NewEvent => ({
  type,
  data,
  metadata: { eventId: randomUUID(), commandId: randomUUID(), correlationId: randomUUID(), userId, occurredAt },
});
