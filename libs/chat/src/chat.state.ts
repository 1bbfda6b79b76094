import { assertNever } from '#eventsourcing';
import type { ChatEvent } from './chat.events.js';
import type { ChatSessionOwner } from './chat-session.owner.js';
import type { Intent } from './intent/intent.model.js';

export type ChatMessageStatus = 'received' | 'routed' | 'completed' | 'failed';

export interface ChatMessageState {
  readonly messageId: string;
  readonly content: string;
  readonly requestedAgentId: string | null;
  readonly status: ChatMessageStatus;
  readonly intent: Intent | null;
  readonly agentId: string | null;
  /** Pieces of the answer recorded so far: the next one is `chunks + 1`. */
  readonly chunks: number;
  /** Characters of the answer recorded so far. */
  readonly answerLength: number;
  readonly investigationId: string | null;
  /** Last revision of the linked investigation already reported in the answer. */
  readonly followedRevision: number;
}

export interface ChatState {
  readonly sessionId: string | null;
  readonly messages: Readonly<Record<string, ChatMessageState>>;
  /** Message ids in arrival order. */
  readonly order: readonly string[];
  /** The investigation most recently started from this conversation, which status questions refer to. */
  readonly lastInvestigationId: string | null;
  /** Null for a session recorded before owners were (or not started). */
  readonly owner: ChatSessionOwner | null;
}

export const initialChatState = (): ChatState => ({
  sessionId: null,
  messages: {},
  order: [],
  lastInvestigationId: null,
  owner: null,
});

function updateMessage(
  state: ChatState,
  messageId: string,
  change: (m: ChatMessageState) => ChatMessageState,
): ChatState {
  const message = state.messages[messageId];
  if (!message) return state;
  return { ...state, messages: { ...state.messages, [messageId]: change(message) } };
}

export function evolveChat(state: ChatState, event: ChatEvent): ChatState {
  switch (event.type) {
    case 'MessageReceived': {
      const d = event.data;
      const message: ChatMessageState = {
        messageId: d.messageId,
        content: d.content,
        requestedAgentId: d.requestedAgentId,
        status: 'received',
        intent: null,
        agentId: null,
        chunks: 0,
        answerLength: 0,
        investigationId: null,
        followedRevision: 0,
      };
      return {
        ...state,
        sessionId: d.sessionId,
        messages: { ...state.messages, [d.messageId]: message },
        order: [...state.order, d.messageId],
        owner: state.owner ?? (state.order.length === 0 ? (d.owner ?? null) : null),
      };
    }
    case 'IntentDetectionStarted':
      return state;
    case 'IntentDetected':
      return updateMessage(state, event.data.messageId, (m) => ({ ...m, intent: event.data.intent }));
    case 'AgentSelected':
      return updateMessage(state, event.data.messageId, (m) => ({
        ...m,
        status: 'routed',
        agentId: event.data.agentId,
      }));
    case 'InvestigationLinked':
      return {
        ...updateMessage(state, event.data.messageId, (m) => ({ ...m, investigationId: event.data.investigationId })),
        lastInvestigationId: event.data.investigationId,
      };
    case 'ResponseChunkGenerated': {
      const { seq, followedRevision } = event.data;
      return updateMessage(state, event.data.messageId, (m) => ({
        ...m,
        chunks: Math.max(m.chunks, seq),
        answerLength: m.answerLength + event.data.content.length,
        followedRevision: Math.max(m.followedRevision, followedRevision ?? 0),
      }));
    }
    case 'ResponseCompleted':
      return updateMessage(state, event.data.messageId, (m) => ({ ...m, status: 'completed' }));
    case 'ResponseFailed':
      return updateMessage(state, event.data.messageId, (m) => ({ ...m, status: 'failed' }));
    default:
      return assertNever(event, 'chat event');
  }
}

/** Messages whose answer has not ended yet. */
export function pendingMessageIds(state: ChatState): string[] {
  return state.order.filter((id) => {
    const status = state.messages[id]?.status;
    return status === 'received' || status === 'routed';
  });
}

/**
 * A follow report or completion that overtook the report it comes `after` on the bus: the
 * events in between are told first. An answer already ended is told nothing more.
 */
export const overtakesReport = (message: ChatMessageState, after: number): boolean =>
  message.status === 'routed' && message.followedRevision < after;
