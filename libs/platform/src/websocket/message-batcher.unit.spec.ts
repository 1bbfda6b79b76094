import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { TimerWheel } from '../streaming/timer-wheel.js';
import { batchedMessage, batchText, MessageBatcher } from './message-batcher.js';

describe('MessageBatcher', () => {
  let now: number;
  let wheel: TimerWheel;
  let frames: string[];
  let batcher: MessageBatcher;
  /** Moves the wheel's clock on and turns the wheel, as its one timer would. */
  const advance = (ms: number): void => {
    now += ms;
    wheel.tick();
  };
  const push = (text: string): void => batcher.push(batchedMessage(text));

  beforeEach(() => {
    now = 1_000_000;
    wheel = new TimerWheel(10, () => now);
    frames = [];
    batcher = new MessageBatcher((messages) => frames.push(batchText(messages)), wheel, {
      maxMessages: 3,
      maxDelayMs: 50,
      maxBytes: 100,
    });
  });
  afterEach(() => {
    batcher.discard();
    wheel.stop();
  });

  it('flushes at the message count, as one batch frame that keeps the order', () => {
    push('{"n":1}');
    push('{"n":2}');
    expect(frames).toEqual([]);
    push('{"n":3}');
    expect(frames).toEqual(['{"type":"batch","messages":[{"n":1},{"n":2},{"n":3}]}']);
    expect(JSON.parse(frames[0] ?? '')).toEqual({ type: 'batch', messages: [{ n: 1 }, { n: 2 }, { n: 3 }] });
    expect(batcher.pendingBytes).toBe(0);
    expect(wheel.pending).toBe(0);
  });

  it('flushes at the byte budget, counting UTF-8 bytes', () => {
    push(JSON.stringify({ text: 'ç'.repeat(30) }));
    expect(frames).toEqual([]);
    expect(batcher.pendingBytes).toBe(Buffer.byteLength(JSON.stringify({ text: 'ç'.repeat(30) })));
    push(JSON.stringify({ text: 'ã'.repeat(30) }));
    expect(frames).toHaveLength(1);
  });

  it('flushes on the shared wheel after the delay counted from the first pending message; a lone message goes as is', () => {
    push('{"n":1}');
    advance(40);
    push('{"n":2}');
    advance(9);
    expect(frames).toEqual([]);
    advance(1);
    expect(frames).toEqual(['{"type":"batch","messages":[{"n":1},{"n":2}]}']);
    push('{"n":3}');
    advance(50);
    expect(frames).toEqual(['{"type":"batch","messages":[{"n":1},{"n":2}]}', '{"n":3}']);
    advance(1000);
    expect(frames).toHaveLength(2);
    expect(wheel.pending).toBe(0);
  });

  it('flushes on demand and drops what is pending on discard, leaving no slot in the wheel', () => {
    push('{"n":1}');
    batcher.flush();
    batcher.flush();
    push('{"n":2}');
    batcher.discard();
    expect(wheel.pending).toBe(0);
    advance(100);
    expect(frames).toEqual(['{"n":1}']);
  });
});
