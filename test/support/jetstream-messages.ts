import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

export interface StreamMessage<T> {
  readonly subject: string;
  readonly event: T;
}

/** Every message of a JetStream stream (optionally under `filter`), in stream order, as a consumer sees it. */
export async function streamMessages<T>(
  nc: NatsConnection,
  stream: string,
  filter?: string,
): Promise<Array<StreamMessage<T>>> {
  const consumer = await jetstream(nc).consumers.get(stream, filter === undefined ? {} : { filter_subjects: filter });
  const messages = await consumer.consume();
  const out: Array<StreamMessage<T>> = [];
  for await (const message of messages) {
    out.push({ subject: message.subject, event: message.json<T>() });
    if (message.info.pending === 0) break;
  }
  await messages.close();
  return out;
}
