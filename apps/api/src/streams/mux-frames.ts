import { sseText, type SseFrame } from '#platform';
import { taggedJson } from '../streaming/wire-frame.js';
import { encodeCursor, type StreamPositions } from './stream-cursor.js';

/** One event of one stream, as a multiplexed connection tags it: its position in that stream (a hub frame's id) and its data's JSON text. */
export interface MuxItem {
  readonly id: number;
  readonly json: string;
}

/** The event's SSE frame: the stream's data with a `stream` field first, its id the cursor of every stream after it. */
export const muxFrameOf = (key: string, item: MuxItem, positions: StreamPositions): SseFrame => ({
  sse: Buffer.from(sseText(encodeCursor(positions), taggedJson(key, item.json))),
});

interface Solo<T> {
  readonly key: string;
  readonly value: T;
}

/**
 * A connection whose cursor holds one stream alone sends the same frame for each of its
 * events as every other such connection: keyed by the item, made once for all of them, as a
 * hub frame's own bytes are. A hub hands its subscribers the same items and the same arrays.
 */
const soloFrames = new WeakMap<MuxItem, Solo<SseFrame>>();
const soloTicks = new WeakMap<readonly MuxItem[], Solo<readonly SseFrame[]>>();

function soloFrameOf(key: string, item: MuxItem): SseFrame {
  const known = soloFrames.get(item);
  if (known?.key === key) return known.value;
  const frame = muxFrameOf(key, item, new Map([[key, item.id]]));
  soloFrames.set(item, { key, value: frame });
  return frame;
}

/** The frames of `items` of stream `key` for a connection whose cursor holds `key` alone; the same array for every such connection. */
export function soloFramesOf(key: string, items: readonly MuxItem[]): readonly SseFrame[] {
  const known = soloTicks.get(items);
  if (known?.key === key) return known.value;
  const frames = items.map((item) => soloFrameOf(key, item));
  soloTicks.set(items, { key, value: frames });
  return frames;
}
