import { assertNever, type Stored } from '#eventsourcing';
import type { ChatEvent } from './chat.events.js';
import type { Intent } from './intent/intent.model.js';

export const DETECTING_MESSAGE = 'Analisando sua mensagem...';
export const CHAT_FALLBACK_ENDPOINT = '/api/v1/chat/message';

/** The seed document's chat stream events, in the order a message produces them. */
export type ChatWireEvent =
  | { type: 'start'; timestamp: string; session_id: string; message_id: string }
  | { type: 'detecting'; message: string }
  | { type: 'intent'; intent: Intent; confidence: number }
  | { type: 'agent_selected'; agent_id: string; agent_name: string }
  | { type: 'chunk'; content: string }
  | { type: 'complete'; total_tokens: number }
  | { type: 'error'; error_code: string; message: string; fallback_endpoint: string; retry_after: number | null };

const sessionOf = (event: Stored<ChatEvent>): string => event.streamId.replace(/^chat-/, '');

/**
 * Maps a stored event to what clients see, or null for bookkeeping events (a linked
 * investigation). Skipped events still consume an id, so ids stay stream revisions.
 */
export function toChatWireEvent(event: Stored<ChatEvent>): ChatWireEvent | null {
  switch (event.type) {
    case 'MessageReceived':
      return {
        type: 'start',
        timestamp: event.metadata.occurredAt,
        session_id: sessionOf(event),
        message_id: event.data.messageId,
      };
    case 'IntentDetectionStarted':
      return { type: 'detecting', message: DETECTING_MESSAGE };
    case 'IntentDetected':
      return { type: 'intent', intent: event.data.intent, confidence: event.data.confidence };
    case 'AgentSelected':
      return { type: 'agent_selected', agent_id: event.data.agentId, agent_name: event.data.agentName };
    case 'ResponseChunkGenerated':
      return { type: 'chunk', content: event.data.content };
    case 'ResponseCompleted':
      return { type: 'complete', total_tokens: event.data.totalTokens };
    case 'ResponseFailed':
      return {
        type: 'error',
        error_code: event.data.errorCode,
        message: event.data.message,
        fallback_endpoint: CHAT_FALLBACK_ENDPOINT,
        retry_after: event.data.retryAfterSeconds,
      };
    case 'InvestigationLinked':
      return null;
    default:
      return assertNever(event, 'chat event');
  }
}
