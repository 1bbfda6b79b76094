import { assertNever, type Stored } from '#eventsourcing';
import type { ChatEvent } from './chat.events.js';
import type { Intent } from './intent/intent.model.js';

export interface UserTurn {
  readonly message_id: string;
  readonly role: 'user';
  readonly content: string;
  readonly requested_agent_id: string | null;
  readonly timestamp: string;
}

export interface AssistantTurn {
  readonly message_id: string;
  readonly role: 'assistant';
  readonly status: 'answering' | 'completed' | 'failed';
  readonly content: string;
  readonly intent: Intent | null;
  readonly confidence: number | null;
  readonly agent_id: string | null;
  readonly agent_name: string | null;
  readonly investigation_id: string | null;
  readonly total_tokens: number | null;
  readonly error: { error_code: string; message: string } | null;
  readonly timestamp: string;
}

/** The read model behind GET /api/v1/chat/sessions/{id}: snake_case, as on the wire. */
export interface ChatHistory {
  readonly session_id: string;
  readonly created_at: string | null;
  readonly updated_at: string | null;
  readonly messages: ReadonlyArray<UserTurn | AssistantTurn>;
  readonly last_event_id: number;
}

export const emptyChatHistory = (sessionId: string): ChatHistory => ({
  session_id: sessionId,
  created_at: null,
  updated_at: null,
  messages: [],
  last_event_id: 0,
});

function updateAnswer(
  doc: ChatHistory,
  messageId: string,
  change: (turn: AssistantTurn) => AssistantTurn,
): ChatHistory {
  const messages = doc.messages.map((turn) =>
    turn.role === 'assistant' && turn.message_id === messageId ? change(turn) : turn,
  );
  return { ...doc, messages };
}

export function evolveChatHistory(doc: ChatHistory, event: Stored<ChatEvent>): ChatHistory {
  const at = event.metadata.occurredAt;
  const next = applyEvent(doc, event, at);
  return { ...next, created_at: doc.created_at ?? at, updated_at: at, last_event_id: event.revision };
}

function applyEvent(doc: ChatHistory, event: Stored<ChatEvent>, at: string): ChatHistory {
  switch (event.type) {
    case 'MessageReceived': {
      const { messageId, content, requestedAgentId } = event.data;
      const user: UserTurn = {
        message_id: messageId,
        role: 'user',
        content,
        requested_agent_id: requestedAgentId,
        timestamp: at,
      };
      const answer: AssistantTurn = {
        message_id: messageId,
        role: 'assistant',
        status: 'answering',
        content: '',
        intent: null,
        confidence: null,
        agent_id: null,
        agent_name: null,
        investigation_id: null,
        total_tokens: null,
        error: null,
        timestamp: at,
      };
      return { ...doc, messages: [...doc.messages, user, answer] };
    }
    case 'IntentDetectionStarted':
      return doc;
    case 'IntentDetected':
      return updateAnswer(doc, event.data.messageId, (t) => ({
        ...t,
        intent: event.data.intent,
        confidence: event.data.confidence,
      }));
    case 'AgentSelected':
      return updateAnswer(doc, event.data.messageId, (t) => ({
        ...t,
        agent_id: event.data.agentId,
        agent_name: event.data.agentName,
      }));
    case 'InvestigationLinked':
      return updateAnswer(doc, event.data.messageId, (t) => ({ ...t, investigation_id: event.data.investigationId }));
    case 'ResponseChunkGenerated':
      return updateAnswer(doc, event.data.messageId, (t) => ({
        ...t,
        content: t.content + event.data.content,
        timestamp: at,
      }));
    case 'ResponseCompleted':
      return updateAnswer(doc, event.data.messageId, (t) => ({
        ...t,
        status: 'completed',
        total_tokens: event.data.totalTokens,
        timestamp: at,
      }));
    case 'ResponseFailed':
      return updateAnswer(doc, event.data.messageId, (t) => ({
        ...t,
        status: 'failed',
        error: { error_code: event.data.errorCode, message: event.data.message },
        timestamp: at,
      }));
    default:
      return assertNever(event, 'chat event');
  }
}

/** The answer to one message, once its history is folded. */
export function answerTo(doc: ChatHistory, messageId: string): AssistantTurn | null {
  const turn = doc.messages.find((t): t is AssistantTurn => t.role === 'assistant' && t.message_id === messageId);
  return turn ?? null;
}
