import { describe, expect, it } from '@jest/globals';
import type { RecordedEvent } from '#eventsourcing';
import { projectInMemory, recordedEvent } from '#eventsourcing/testing';
import { CHAT_HISTORIES, chatHistoriesProjection, type ChatHistoryDocument } from './chat-histories.projection.js';

const recorded = (revision: number, type: string, data: unknown): RecordedEvent =>
  recordedEvent('chat-s1', revision, type, data, { occurredAt: `2026-03-01T10:00:0${revision}.000Z` });

async function project(events: RecordedEvent[]): Promise<ChatHistoryDocument | undefined> {
  const readModels = await projectInMemory(chatHistoriesProjection, events);
  return (await readModels.get<ChatHistoryDocument>(CHAT_HISTORIES, 's1'))?.doc;
}

const received = (revision: number, messageId: string, extra: object = {}) =>
  recorded(revision, 'MessageReceived', {
    sessionId: 's1',
    messageId,
    content: `pergunta ${messageId}`,
    requestedAgentId: null,
    receivedAt: 'x',
    ...extra,
  });

describe('chat histories projection', () => {
  it('keeps the conversation and the owner its first message recorded', async () => {
    const doc = await project([
      received(1, 'm1', { owner: { userId: 'ana', tokenHash: 'abc' } }),
      recorded(2, 'ResponseChunkGenerated', { messageId: 'm1', seq: 1, content: 'Olá', at: 'x' }),
      recorded(3, 'ResponseCompleted', { messageId: 'm1', totalTokens: 3, source: 'composer', at: 'x' }),
      received(4, 'm2', { owner: { userId: 'bia', tokenHash: null } }),
    ]);
    expect(doc?.owner).toEqual({ userId: 'ana', tokenHash: 'abc' });
    expect(doc?.history.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'pergunta m1'],
      ['assistant', 'Olá'],
      ['user', 'pergunta m2'],
      ['assistant', ''],
    ]);
    expect(doc?.history.last_event_id).toBe(4);
  });

  it('takes the sender as owner of a session recorded before owners were', async () => {
    const doc = await project([received(1, 'm1')]);
    expect(doc?.owner).toEqual({ userId: 'ana', tokenHash: null });
  });
});
