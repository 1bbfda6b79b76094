import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { LiveFeed, type HubSink, type Stored } from '#eventsourcing';
import { InMemoryEventStore } from '#eventsourcing/testing';
import { chatEventCatalog, chatStreamId, type ChatEvent } from '#chat';
import { ChatWsHubs, type ChatWsFrame } from './chat-ws.projection.js';

const AT = '2026-01-10T10:00:00.000Z';
const M = 'msg-1';

const chunk = (seq: number, content: string): ChatEvent => ({
  type: 'ResponseChunkGenerated',
  data: { messageId: M, seq, content, at: AT },
});

class Participant implements HubSink<ChatWsFrame> {
  readonly frames: ChatWsFrame[] = [];
  write(frames: readonly ChatWsFrame[]): boolean {
    this.frames.push(...frames);
    return true;
  }
  writable(): Promise<void> {
    return Promise.resolve();
  }
  end(): void {}
  error(error: unknown): void {
    throw error;
  }
  get ids(): number[] {
    return this.frames.map((frame) => frame.id);
  }
  get texts(): string[] {
    return this.frames.flatMap((frame) => frame.parts.map((part) => part.ws));
  }
}

function setup() {
  const store = new InMemoryEventStore();
  const chatWs = new ChatWsHubs(store, new LiveFeed(store));
  const sessionId = `s-${randomUUID()}`;
  const streamId = chatStreamId(sessionId);
  let revision = 0;
  const append = async (...events: ChatEvent[]): Promise<void> => {
    const metadata = { eventId: '', commandId: 'c', correlationId: 'c', userId: 'u-1', occurredAt: AT };
    const encoded = events.map((event) => chatEventCatalog.encode(event, { ...metadata, eventId: randomUUID() }));
    revision = (await store.appendToStream(streamId, encoded, revision)).nextRevision;
  };
  /** What a participant read on joining: the session so far. */
  const history = async (): Promise<Stored<ChatEvent>[]> =>
    (await store.readStream(streamId)).map((event) => chatEventCatalog.decode(event));
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { chatWs, sessionId, streamId, append, history, settle };
}

describe('ChatWsHubs', () => {
  it('serves every participant of a session from one hub, a resumed one without gap or duplicate, the answer whole', async () => {
    const { chatWs, sessionId, streamId, append, history, settle } = setup();
    await append(
      {
        type: 'MessageReceived',
        data: { sessionId, messageId: M, content: 'Olá', requestedAgentId: null, receivedAt: AT },
      },
      {
        type: 'AgentSelected',
        data: { messageId: M, agentId: 'drummond', agentName: 'Drummond', reason: 'intent', at: AT },
      },
      chunk(1, 'Olá! '),
    );
    const first = new Participant();
    const releaseFirst = chatWs.hold(sessionId, await history());
    const firstSub = chatWs.hubs.subscribe(streamId, 3, first);
    await append(chunk(2, 'Sou '));
    await settle();

    // Resumes mid-answer, after the agent was chosen: its history holds chunks the hub already folded.
    const resumed = new Participant();
    const releaseResumed = chatWs.hold(sessionId, await history());
    const resumedSub = chatWs.hubs.subscribe(streamId, 2, resumed);
    await settle();
    await append(chunk(3, 'Drummond.'), {
      type: 'ResponseCompleted',
      data: { messageId: M, totalTokens: 12, source: 'composer', at: AT },
    });
    await settle();

    expect(chatWs.hubs.size).toBe(1);
    expect(first.ids).toEqual([4, 5, 6]);
    expect(resumed.ids).toEqual([3, 4, 5, 6]);
    const final = (p: Participant) => JSON.parse(p.texts.at(-1) ?? '{}') as Record<string, unknown>;
    for (const participant of [first, resumed]) {
      expect(final(participant)).toMatchObject({
        type: 'agent_response',
        id: 6,
        content: 'Olá! Sou Drummond.',
        is_final: true,
        agent_id: 'drummond',
      });
      expect(participant.texts.at(-2)).toBe(
        JSON.stringify({
          type: 'typing',
          session_id: sessionId,
          agent_id: 'drummond',
          agent_name: 'Drummond',
          is_typing: false,
        }),
      );
    }
    // Caught up, both were handed the very same frame: encoded once for both.
    expect(resumed.frames.at(-1)).toBe(first.frames.at(-1));

    for (const stop of [() => firstSub.unsubscribe(), () => resumedSub.unsubscribe(), releaseFirst, releaseResumed])
      stop();
    expect(chatWs.hubs.size).toBe(0);
  });
});
