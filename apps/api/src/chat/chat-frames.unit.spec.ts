import { describe, expect, it } from '@jest/globals';
import type { HubEntry, RecordedEvent } from '#eventsourcing';
import type { ChatWireEvent } from '#chat';
import type { WireFrame } from '../streaming/wire-frame.js';
import { answerControl, answeredControl, chatProjection } from './chat-frames.js';

let revision = 0;
const recorded = (type: string, data: Record<string, unknown>): RecordedEvent => {
  revision++;
  return {
    streamId: 'chat-s1',
    revision,
    position: revision,
    type,
    data,
    metadata: { eventId: `e${revision}`, commandId: 'c', correlationId: 'c', userId: 'u', occurredAt: 'now' },
  };
};
const received = (messageId: string, content: string): RecordedEvent =>
  recorded('MessageReceived', { sessionId: 's1', messageId, content, requestedAgentId: null, receivedAt: 'now' });
const entry = (event: RecordedEvent): HubEntry<WireFrame<ChatWireEvent>> => ({
  key: event.revision,
  event,
  frame: chatProjection.frame(event),
  end: false,
});

describe('chat hub frames', () => {
  it('takes one message’s answer only, ending with its end', () => {
    const control = answerControl('m2');
    const verdicts = [
      received('m1', 'a'),
      received('m2', 'b'),
      recorded('ResponseChunkGenerated', { messageId: 'm1', seq: 1, content: 'x', at: 'now' }),
      recorded('ResponseChunkGenerated', { messageId: 'm2', seq: 1, content: 'y', at: 'now' }),
      recorded('ResponseCompleted', { messageId: 'm2', totalTokens: 1, source: 'composer', at: 'now' }),
    ].map((event) => control(entry(event)));
    expect(verdicts).toEqual(['skip', 'deliver', 'skip', 'deliver', 'last']);
  });

  it('replays a session until every message met has its answer and the replay reached the last revision', () => {
    revision = 0;
    const control = answeredControl(['m1'], 3);
    const verdicts = [
      recorded('ResponseChunkGenerated', { messageId: 'm1', seq: 1, content: 'x', at: 'now' }),
      recorded('ResponseCompleted', { messageId: 'm1', totalTokens: 1, source: 'composer', at: 'now' }),
      received('m2', 'b'),
      recorded('ResponseCompleted', { messageId: 'm2', totalTokens: 1, source: 'composer', at: 'now' }),
    ].map((event) => control(entry(event)));
    expect(verdicts).toEqual(['deliver', 'deliver', 'deliver', 'last']);
  });

  it('gives each event its wire form with the revision as id, and refuses a type the chat catalog does not know', () => {
    revision = 0;
    const chunk = chatProjection.frame(
      recorded('ResponseChunkGenerated', { messageId: 'm1', seq: 1, content: 'x', at: 'n' }),
    );
    expect(chunk?.sse.toString()).toBe('id: 1\ndata: {"type":"chunk","content":"x"}\n\n');
    expect(() => chatProjection.frame(recorded('SomethingElse', {}))).toThrow(
      'stream chat-s1 revision 2 (SomethingElse): no event of this type in the chat catalog',
    );
  });
});
