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
      recorded('MessageReceived', { messageId: 'm1', content: 'a', at: 'now' }),
      recorded('MessageReceived', { messageId: 'm2', content: 'b', at: 'now' }),
      recorded('ResponseChunkGenerated', { messageId: 'm1', seq: 1, content: 'x', at: 'now' }),
      recorded('ResponseChunkGenerated', { messageId: 'm2', seq: 1, content: 'y', at: 'now' }),
      recorded('ResponseCompleted', { messageId: 'm2', totalTokens: 1, at: 'now' }),
    ].map((event) => control(entry(event)));
    expect(verdicts).toEqual(['skip', 'deliver', 'skip', 'deliver', 'last']);
  });

  it('replays a session until every message met has its answer and the replay reached the last revision', () => {
    revision = 0;
    const control = answeredControl(['m1'], 3);
    const verdicts = [
      recorded('ResponseChunkGenerated', { messageId: 'm1', seq: 1, content: 'x', at: 'now' }),
      recorded('ResponseCompleted', { messageId: 'm1', totalTokens: 1, at: 'now' }),
      recorded('MessageReceived', { messageId: 'm2', content: 'b', at: 'now' }),
      recorded('ResponseCompleted', { messageId: 'm2', totalTokens: 1, at: 'now' }),
    ].map((event) => control(entry(event)));
    expect(verdicts).toEqual(['deliver', 'deliver', 'deliver', 'last']);
  });

  it('gives bookkeeping events no frame and the others their wire form, with the revision as id', () => {
    revision = 0;
    const chunk = chatProjection.frame(
      recorded('ResponseChunkGenerated', { messageId: 'm1', seq: 1, content: 'x', at: 'n' }),
    );
    expect(chunk?.sse.toString()).toBe('id: 1\ndata: {"type":"chunk","content":"x"}\n\n');
    expect(chatProjection.frame(recorded('SomethingElse', {}))).toBeNull();
  });
});
