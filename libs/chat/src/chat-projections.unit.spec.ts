import { describe, expect, it } from '@jest/globals';
import type { Stored } from '#eventsourcing';
import { answerTo, emptyChatHistory, evolveChatHistory, toChatWireEvent, type ChatEvent } from './index.js';

const AT = '2026-01-10T10:00:00.000Z';
const M = 'msg-1';

function stored(events: ChatEvent[]): Stored<ChatEvent>[] {
  return events.map((event, index) => ({
    ...event,
    streamId: 'chat-s-1',
    revision: index + 1,
    position: 100 + index,
    metadata: { eventId: `e${index}`, userId: 'u', correlationId: 'c', occurredAt: AT },
  })) as Stored<ChatEvent>[];
}

const conversation: ChatEvent[] = [
  {
    type: 'MessageReceived',
    data: { sessionId: 's-1', messageId: M, content: 'Olá', requestedAgentId: null, receivedAt: AT },
  },
  { type: 'IntentDetectionStarted', data: { messageId: M, at: AT } },
  { type: 'IntentDetected', data: { messageId: M, intent: 'greeting', confidence: 0.95, at: AT } },
  {
    type: 'AgentSelected',
    data: { messageId: M, agentId: 'drummond', agentName: 'Carlos Drummond de Andrade', reason: 'intent', at: AT },
  },
  { type: 'InvestigationLinked', data: { messageId: M, investigationId: 'inv-1', at: AT } },
  { type: 'ResponseChunkGenerated', data: { messageId: M, seq: 1, content: 'Olá! Sou ', at: AT } },
  { type: 'ResponseChunkGenerated', data: { messageId: M, seq: 2, content: 'Carlos\n\nDrummond', at: AT } },
  { type: 'ResponseCompleted', data: { messageId: M, totalTokens: 150, source: 'composer', at: AT } },
];

describe('chat wire projection', () => {
  it('maps a message to the seed events, in order, skipping bookkeeping', () => {
    const wire = stored(conversation).map((e) => ({ id: e.revision, data: toChatWireEvent(e) }));
    expect(wire).toEqual([
      { id: 1, data: { type: 'start', timestamp: AT, session_id: 's-1', message_id: M } },
      { id: 2, data: { type: 'detecting', message: 'Analisando sua mensagem...' } },
      { id: 3, data: { type: 'intent', intent: 'greeting', confidence: 0.95 } },
      { id: 4, data: { type: 'agent_selected', agent_id: 'drummond', agent_name: 'Carlos Drummond de Andrade' } },
      { id: 5, data: null },
      { id: 6, data: { type: 'chunk', content: 'Olá! Sou ' } },
      { id: 7, data: { type: 'chunk', content: 'Carlos\n\nDrummond' } },
      { id: 8, data: { type: 'complete', total_tokens: 150 } },
    ]);
  });

  it('maps a failure to the seed error event with the fallback endpoint', () => {
    const [failed] = stored([
      {
        type: 'ResponseFailed',
        data: { messageId: M, errorCode: 'AGENT_UNAVAILABLE', message: 'indisponível', retryAfterSeconds: 5, at: AT },
      },
    ]);
    expect(failed && toChatWireEvent(failed)).toEqual({
      type: 'error',
      error_code: 'AGENT_UNAVAILABLE',
      message: 'indisponível',
      fallback_endpoint: '/api/v1/chat/message',
      retry_after: 5,
    });
  });
});

describe('chat history projection', () => {
  it('keeps each user message followed by its answer, text joined exactly', () => {
    const doc = stored(conversation).reduce(evolveChatHistory, emptyChatHistory('s-1'));
    expect(doc).toMatchObject({ session_id: 's-1', created_at: AT, last_event_id: 8 });
    expect(doc.messages).toEqual([
      { message_id: M, role: 'user', content: 'Olá', requested_agent_id: null, timestamp: AT },
      {
        message_id: M,
        role: 'assistant',
        status: 'completed',
        content: 'Olá! Sou Carlos\n\nDrummond',
        intent: 'greeting',
        confidence: 0.95,
        agent_id: 'drummond',
        agent_name: 'Carlos Drummond de Andrade',
        investigation_id: 'inv-1',
        total_tokens: 150,
        error: null,
        timestamp: AT,
      },
    ]);
    expect(answerTo(doc, M)?.content).toBe('Olá! Sou Carlos\n\nDrummond');
    expect(answerTo(doc, 'other')).toBeNull();
  });
});
