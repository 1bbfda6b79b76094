import { describe, expect, it } from '@jest/globals';
import { SseParser, type SseEvent } from './sse-parser.js';

/** Feeds `text` cut at every position into two chunks: the events must not depend on where the cut falls. */
function everySplit(text: string): SseEvent[][] {
  const results: SseEvent[][] = [];
  for (let cut = 0; cut <= text.length; cut++) {
    const parser = new SseParser();
    results.push([...parser.push(text.slice(0, cut)).events, ...parser.push(text.slice(cut)).events]);
  }
  return results;
}

describe('SseParser', () => {
  it('reads what the API sends: retry, keepalive comments, id and data', () => {
    const parser = new SseParser();
    const { events, retryMs } = parser.push(
      'retry: 3000\n\n: keepalive\n\nid: 1\ndata: {"type":"progress"}\n\nid: 2\ndata: {"type":"complete"}\n\n',
    );
    expect(retryMs).toBe(3000);
    expect(events).toEqual([
      { id: '1', data: '{"type":"progress"}' },
      { id: '2', data: '{"type":"complete"}' },
    ]);
  });

  it('gives the same events wherever the chunks are cut, with LF, CRLF or CR line ends', () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      const text = ['id: 7', 'data: {"a":1}', 'data: {"b":2}', '', ': ping', '', 'data:no-space', '', ''].join(eol);
      for (const events of everySplit(text)) {
        expect(events).toEqual([
          { id: '7', data: '{"a":1}\n{"b":2}' },
          { id: '7', data: 'no-space' },
        ]);
      }
    }
  });

  it('dispatches nothing without data and keeps the last id for later events', () => {
    const parser = new SseParser();
    expect(parser.push('id: 5\n\n').events).toEqual([]);
    expect(parser.push('data: x\n\n').events).toEqual([{ id: '5', data: 'x' }]);
    expect(parser.push('retry: soon\n\n').retryMs).toBeUndefined();
  });
});
