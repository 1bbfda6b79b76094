import { describe, expect, it } from '@jest/globals';
import { WireFrame } from '../streaming/wire-frame.js';
import { muxFrameOf, soloFramesOf } from './mux-frames.js';
import { decodeCursor } from './stream-cursor.js';

const key = 'investigation:5d1c3e0a-7b7f-4c55-9a0e-2f4e6b8c9d01';
const tick = [new WireFrame(7, { type: 'progress', progress: 40 }), new WireFrame(8, { type: 'phase', phase: 'x' })];

describe('the frames of a multiplexed connection whose cursor holds one stream', () => {
  it('are made once for every such connection, per event and per tick', () => {
    const frames = soloFramesOf(key, tick);
    expect(soloFramesOf(key, tick)).toBe(frames);
    expect(soloFramesOf(key, [tick[1] as WireFrame])[0]).toBe(frames[1]);
  });

  it('are the bytes the connection writes for its cursor, each id the stream at that event', () => {
    const frames = soloFramesOf(key, tick);
    expect(frames.map((frame) => frame.sse.toString())).toEqual(
      tick.map((item) => muxFrameOf(key, item, new Map([[key, item.id]])).sse.toString()),
    );
    const [id, data] = (frames[0]?.sse.toString() ?? '').split('\n');
    expect([...decodeCursor(id?.slice('id: '.length) ?? '', 'id')]).toEqual([[key, 7]]);
    expect(JSON.parse(data?.slice('data: '.length) ?? '')).toEqual({ stream: key, type: 'progress', progress: 40 });
  });

  it('are made again for another stream that carries the same frames', () => {
    const other = 'chat:session_1';
    const frames = soloFramesOf(other, tick);
    expect(frames).not.toBe(soloFramesOf(key, tick));
    expect(JSON.parse(frames[0]?.sse.toString().split('data: ')[1] ?? '')).toMatchObject({ stream: other });
  });
});
