import { decodeCursor } from '../../apps/api/src/streams/stream-cursor.js';
import { openSse, type SseFrame } from './sse-client.js';

/** The frames of GET /api/v1/streams that one stream carried. */
export const ofStream = (frames: readonly SseFrame[], stream: string): SseFrame[] =>
  frames.filter((f) => f.data.stream === stream);

/** Whether `stream` carried its investigation's `complete`. */
export const completedOn = (frames: readonly SseFrame[], stream: string): boolean =>
  ofStream(frames, stream).some((f) => f.data.type === 'complete');

/** An event's position in its own stream, read from the cursor it carries. */
export function positionOf(frame: SseFrame): number {
  const stream = String(frame.data.stream);
  const position = decodeCursor(frame.id ?? '', 'id').get(stream);
  if (position === undefined) throw new Error(`the cursor of a ${stream} event does not hold ${stream}`);
  return position;
}

/** What `stream` carried as its own endpoint sends it: each event's id, and its data without the `stream` tag. */
export function asOwnEvents(frames: readonly SseFrame[], stream: string): Array<{ id: number; data: unknown }> {
  return ofStream(frames, stream).map((frame) => {
    const { stream: _tag, ...data } = frame.data;
    return { id: positionOf(frame), data };
  });
}

/**
 * An investigation's events as its own endpoint sends them, to its terminal event: a stream
 * the server ends before that (STREAM_MAX_DURATION) is resumed with the last id.
 */
export async function ownInvestigationEvents(
  url: string,
  id: string,
  headers: Record<string, string> = {},
): Promise<Array<{ id: number; data: Record<string, unknown> }>> {
  const events: Array<{ id: number; data: Record<string, unknown> }> = [];
  while (!events.some((e) => e.data.type === 'complete')) {
    const last = events.at(-1)?.id;
    const resume: Record<string, string> = last === undefined ? {} : { 'Last-Event-ID': String(last) };
    const session = await openSse(`${url}/api/v1/investigations/stream/${id}`, { headers: { ...headers, ...resume } });
    const frames = await session.done;
    if (session.status !== 200) throw new Error(`GET /api/v1/investigations/stream/${id}: ${session.status}`);
    events.push(...frames.map((f) => ({ id: Number(f.id), data: f.data })));
  }
  return events;
}
