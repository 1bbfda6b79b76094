import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import { chatStreamId } from '#chat';
import type { EventStore } from '#eventsourcing';
import {
  InProcessCommandBus,
  silentLogger,
  SqliteEventStore,
  type CommandContext,
  type RoutedCommand,
} from '#platform';
import { createChatWorker } from './chat-worker.js';

/** The store, with the types each append to each stream carried, in order. */
function countingAppends(store: EventStore): { readonly store: EventStore; readonly appends: Map<string, string[][]> } {
  const appends = new Map<string, string[][]>();
  const counted: EventStore = Object.assign(Object.create(store) as EventStore, {
    appendToStream: (...args: Parameters<EventStore['appendToStream']>) => {
      appends.set(args[0], [...(appends.get(args[0]) ?? []), args[1].map((event) => event.type)]);
      return store.appendToStream(...args);
    },
  });
  return { store: counted, appends };
}

const context: CommandContext = { deliveryCount: 1, working: () => undefined, signal: new AbortController().signal };

function message(sessionId: string, content: string, senderRoles: readonly string[]): RoutedCommand {
  const messageId = randomUUID();
  return {
    target: { aggregate: 'chat', id: sessionId },
    command: {
      type: 'SendChatMessage',
      data: { sessionId, messageId, content, owner: { userId: 'ana', tokenHash: null }, senderRoles },
      metadata: {
        commandId: messageId,
        correlationId: randomUUID(),
        userId: 'ana',
        issuedAt: new Date().toISOString(),
      },
    },
  };
}

const closing: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closing.splice(0)) await close();
});

async function worker() {
  const sqlite = new SqliteEventStore({ filename: ':memory:' });
  const bus = new InProcessCommandBus();
  closing.push(
    () => bus.close(),
    () => sqlite.close(),
  );
  const { store, appends } = countingAppends(sqlite);
  const chat = createChatWorker({
    store,
    bus,
    logger: silentLogger,
    clock: () => new Date(),
    maxDeliver: 3,
    llm: null,
  });
  return { chat, store, appends };
}

describe('chat worker', () => {
  it.each([
    ['a greeting', 'Olá, tudo bem?', ['analyst']],
    ['a start the sender may not make', 'investigue contratos de saúde acima do preço', ['viewer']],
  ])(
    'records %s and its routing with the first chunk in one append, the rest of the answer in one more',
    async (_, content, roles) => {
      const { chat, store, appends } = await worker();
      const sent = message(randomUUID(), content, roles);

      await chat.handle(sent, context);

      const streamId = chatStreamId(sent.target.id);
      const types = (await store.readStream(streamId)).map((event) => event.type);
      expect(types.slice(0, 4)).toEqual([
        'MessageReceived',
        'IntentDetectionStarted',
        'IntentDetected',
        'AgentSelected',
      ]);
      expect(types.at(-1)).toBe('ResponseCompleted');
      expect(types.slice(4, -1).every((type) => type === 'ResponseChunkGenerated')).toBe(true);
      expect(types.length).toBeGreaterThan(5);
      // The first chunk waits for no other chunk to be written: it goes out with the routing.
      expect(appends.get(streamId)).toEqual([types.slice(0, 5), types.slice(5)]);
    },
  );

  it('records nothing twice when the message is delivered again', async () => {
    const { chat, store } = await worker();
    const sent = message(randomUUID(), 'Oi!', ['analyst']);
    await chat.handle(sent, context);
    const first = await store.readStream(chatStreamId(sent.target.id));

    await chat.handle(sent, { ...context, deliveryCount: 2 });

    expect(await store.readStream(chatStreamId(sent.target.id))).toEqual(first);
  });
});
