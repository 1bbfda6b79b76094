import type { EventStore, RecordedEvent } from './event-store.port.js';

export const READ_PAGE_SIZE = 500;

/**
 * A stream after `after`, in revision order, read a page at a time: a fold over a long
 * stream holds one page, not the stream.
 */
export async function* readPages(
  store: EventStore,
  streamId: string,
  after = 0,
  pageSize = READ_PAGE_SIZE,
): AsyncGenerator<RecordedEvent> {
  let cursor = after;
  for (;;) {
    const page = await store.readStream(streamId, { after: cursor, maxCount: pageSize });
    yield* page;
    if (page.length < pageSize) return;
    cursor = page[page.length - 1]?.revision ?? cursor;
  }
}
