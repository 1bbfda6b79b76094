import { describe, expect, it } from '@jest/globals';
import { CompletionTracker, LineSplitter, parseStreamLine } from './openai-stream.parser.js';

describe('OpenAI stream parser', () => {
  it('reads deltas, the finish, usage and [DONE], and ignores what is not data', () => {
    expect(parseStreamLine('data: {"choices":[{"delta":{"content":"Olá\\n"},"finish_reason":null}]}')).toEqual([
      { kind: 'delta', content: 'Olá\n', finished: false },
    ]);
    expect(
      parseStreamLine(
        'data: {"choices":[{"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2}}',
      ),
    ).toEqual([
      { kind: 'delta', content: '', finished: true },
      { kind: 'usage', promptTokens: 3, completionTokens: 2 },
    ]);
    expect(parseStreamLine('data:[DONE]')).toEqual([{ kind: 'done' }]);
    for (const line of [
      ': ping',
      'event: message',
      'id: 4',
      '',
      'data: ',
      'data: {"choices":[{"delta":{"role":"assistant"}}]}',
    ])
      expect(parseStreamLine(line)).toEqual([]);
  });

  it('flags malformed payloads and surfaces errors sent inside the stream', () => {
    expect(parseStreamLine('data: {"choices": [')).toEqual([{ kind: 'malformed', line: 'data: {"choices": [' }]);
    expect(parseStreamLine('data: [1, 2]')).toEqual([{ kind: 'malformed', line: 'data: [1, 2]' }]);
    expect(parseStreamLine('data: {"error":{"message":"overloaded"}}')).toEqual([
      { kind: 'error', message: 'overloaded' },
    ]);
  });

  it('splits lines across network pieces, CRLF included, keeping the unfinished tail', () => {
    const lines = new LineSplitter();
    expect(lines.push('data: {"a"')).toEqual([]);
    expect(lines.push(':1}\r\n\r\ndata: [DO')).toEqual(['data: {"a":1}', '']);
    expect(lines.push('NE]')).toEqual([]);
    expect(lines.flush()).toEqual(['data: [DONE]']);
  });

  it('tracks a completion: tokens in order, the finish, the usage and the malformed lines', () => {
    const tracker = new CompletionTracker();
    const fail = (message: string) => new Error(message);
    expect(tracker.tokensOf('data: {"choices":[{"delta":{"content":"ab"}}]}', fail)).toEqual(['ab']);
    expect(tracker.tokensOf('data: {oops', fail)).toEqual([]);
    expect(tracker.tokensOf('data: {"choices":[{"delta":{"content":"c"},"finish_reason":"length"}]}', fail)).toEqual([
      'c',
    ]);
    expect(tracker).toMatchObject({ finished: true, written: 3, malformed: 1, usage: null });
    expect(() => tracker.tokensOf('data: {"error":{"message":"boom"}}', fail)).toThrow('boom');
  });
});
