import { ENTITY_ID } from '#eventsourcing';
import { ApiError } from '../http/api-error.js';

/**
 * A stream one multiplexed connection may carry, named as in `?subscribe=`:
 * `investigation:<id>`, `chat:<session id>`, `investigations` (the list's changes) or
 * `events` (the feed of every domain event).
 */
export type StreamName =
  | { readonly kind: 'investigation'; readonly id: string }
  | { readonly kind: 'chat'; readonly id: string }
  | { readonly kind: 'investigations' }
  | { readonly kind: 'events' };

export type StreamKind = StreamName['kind'];

const SPELLING = 'investigation:<id>, chat:<session id>, investigations or events';

/** The name as clients write it, and the key of the stream in a cursor. */
export function streamKey(name: StreamName): string {
  return 'id' in name ? `${name.kind}:${name.id}` : name.kind;
}

/** One stream name, or null when it is none of the four forms. */
export function parseStreamName(raw: string): StreamName | null {
  if (raw === 'investigations' || raw === 'events') return { kind: raw };
  const colon = raw.indexOf(':');
  if (colon < 0) return null;
  const kind = raw.slice(0, colon);
  const id = raw.slice(colon + 1);
  if ((kind !== 'investigation' && kind !== 'chat') || !ENTITY_ID.test(id)) return null;
  return { kind, id };
}

/** A list of stream names (a query's comma-separated text or a JSON array), each once, in order; 400 on a bad one. */
export function parseStreamList(raw: readonly string[], what: string): StreamName[] {
  const names = new Map<string, StreamName>();
  for (const item of raw) {
    const name = parseStreamName(item);
    if (!name)
      throw new ApiError(
        400,
        'UNKNOWN_STREAM',
        `${what}: "${item.slice(0, 160)}" is not a stream name; use ${SPELLING}`,
      );
    names.set(streamKey(name), name);
  }
  return [...names.values()];
}

/** `?subscribe=a,b,c`: at least one name. */
export function parseSubscribeQuery(raw: unknown): StreamName[] {
  if (typeof raw !== 'string' || raw === '')
    throw new ApiError(400, 'VALIDATION_ERROR', `subscribe is required: a comma-separated list of ${SPELLING}`);
  return parseStreamList(raw.split(','), 'subscribe');
}
