import { entityIdOf, type Projection, type RecordedEvent, type Stored } from '#eventsourcing';
import { readChatEvent } from './chat-event.reader.js';
import type { ChatEvent } from './chat.events.js';
import { emptyChatHistory, evolveChatHistory, type ChatHistory } from './chat-history.projection.js';
import { chatSessionOwner, type ChatSessionOwner } from './chat-session.owner.js';

export const CHAT_HISTORIES = 'chat-histories';

/** A session's conversation, and who may read it: the owner its first message recorded. */
export interface ChatHistoryDocument {
  readonly history: ChatHistory;
  readonly owner: ChatSessionOwner | null;
}

export function evolveChatHistoryDocument(
  doc: ChatHistoryDocument | null,
  event: Stored<ChatEvent>,
): ChatHistoryDocument {
  const history = evolveChatHistory(doc?.history ?? emptyChatHistory(entityIdOf(event.streamId)), event);
  return { history, owner: doc?.owner ?? chatSessionOwner([event]) };
}

/** Every chat session's history, kept with a checkpoint instead of read whole per request. */
export const chatHistoriesProjection: Projection<Stored<ChatEvent>> = {
  name: CHAT_HISTORIES,
  version: 1,
  collections: [CHAT_HISTORIES],
  read: (event: RecordedEvent) => readChatEvent(event),
  async handle(event, context) {
    const id = entityIdOf(event.streamId);
    const next = evolveChatHistoryDocument(await context.get<ChatHistoryDocument>(CHAT_HISTORIES, id), event);
    context.put(CHAT_HISTORIES, id, next, {
      owner: next.owner?.userId ?? null,
      status: null,
      sortAt: next.history.created_at === null ? null : new Date(next.history.created_at).toISOString(),
      search: null,
    });
  },
};
