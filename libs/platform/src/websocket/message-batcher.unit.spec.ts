import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { MessageBatcher } from './message-batcher.js';

describe('MessageBatcher', () => {
  let frames: string[];
  let batcher: MessageBatcher;
  beforeEach(() => {
    jest.useFakeTimers();
    frames = [];
    batcher = new MessageBatcher((frame) => frames.push(frame), { maxMessages: 3, maxDelayMs: 50, maxBytes: 100 });
  });
  afterEach(() => {
    batcher.discard();
    jest.useRealTimers();
  });

  it('flushes at the message count, as one batch frame that keeps the order', () => {
    batcher.push('{"n":1}');
    batcher.push('{"n":2}');
    expect(frames).toEqual([]);
    batcher.push('{"n":3}');
    expect(frames).toEqual(['{"type":"batch","messages":[{"n":1},{"n":2},{"n":3}]}']);
    expect(JSON.parse(frames[0] ?? '')).toEqual({ type: 'batch', messages: [{ n: 1 }, { n: 2 }, { n: 3 }] });
    expect(batcher.pendingBytes).toBe(0);
  });

  it('flushes at the byte budget, counting UTF-8 bytes', () => {
    batcher.push(JSON.stringify({ text: 'ç'.repeat(30) }));
    expect(frames).toEqual([]);
    expect(batcher.pendingBytes).toBe(Buffer.byteLength(JSON.stringify({ text: 'ç'.repeat(30) })));
    batcher.push(JSON.stringify({ text: 'ã'.repeat(30) }));
    expect(frames).toHaveLength(1);
  });

  it('flushes after the delay counted from the first pending message; a lone message goes as is', () => {
    batcher.push('{"n":1}');
    jest.advanceTimersByTime(49);
    expect(frames).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(frames).toEqual(['{"n":1}']);
    jest.advanceTimersByTime(1000);
    expect(frames).toHaveLength(1);
  });

  it('flushes on demand and drops what is pending on discard', () => {
    batcher.push('{"n":1}');
    batcher.flush();
    batcher.flush();
    batcher.push('{"n":2}');
    batcher.discard();
    jest.advanceTimersByTime(100);
    expect(frames).toEqual(['{"n":1}']);
  });
});
