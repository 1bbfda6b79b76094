import type { DomainEvent } from '#eventsourcing';
import type { ChatSessionOwner } from './chat-session.owner.js';
import type { Intent } from './intent/intent.model.js';

/** `owner` is on the session's first message only: who the session belongs to from then on. */
export type MessageReceived = DomainEvent<
  'MessageReceived',
  {
    sessionId: string;
    messageId: string;
    content: string;
    requestedAgentId: string | null;
    receivedAt: string;
    owner?: ChatSessionOwner;
  }
>;
/** The seed's `detecting` step: the message is being understood. */
export type IntentDetectionStarted = DomainEvent<'IntentDetectionStarted', { messageId: string; at: string }>;
export type IntentDetected = DomainEvent<
  'IntentDetected',
  { messageId: string; intent: Intent; confidence: number; at: string }
>;
export type AgentSelected = DomainEvent<
  'AgentSelected',
  { messageId: string; agentId: string; agentName: string; reason: 'requested' | 'intent'; at: string }
>;
/** The message started an investigation, which the answer follows. */
export type InvestigationLinked = DomainEvent<
  'InvestigationLinked',
  { messageId: string; investigationId: string; at: string }
>;
/**
 * One piece of the answer, in order (`seq` from 1). `followedRevision` is set on pieces
 * that report an investigation: the revision of its stream they cover, so a resumed
 * follower starts after it.
 */
export type ResponseChunkGenerated = DomainEvent<
  'ResponseChunkGenerated',
  { messageId: string; seq: number; content: string; followedRevision?: number; at: string }
>;
export type ResponseCompleted = DomainEvent<
  'ResponseCompleted',
  { messageId: string; totalTokens: number; source: ResponseSource; at: string }
>;
export type ResponseFailed = DomainEvent<
  'ResponseFailed',
  { messageId: string; errorCode: string; message: string; retryAfterSeconds: number | null; at: string }
>;

/** Who wrote the answer: a language model, or the composer working from recorded facts. */
export const RESPONSE_SOURCES = ['llm', 'composer', 'investigation'] as const;
export type ResponseSource = (typeof RESPONSE_SOURCES)[number];

export type ChatEvent =
  | MessageReceived
  | IntentDetectionStarted
  | IntentDetected
  | AgentSelected
  | InvestigationLinked
  | ResponseChunkGenerated
  | ResponseCompleted
  | ResponseFailed;

export type ChatEventType = ChatEvent['type'];

/** Events that end the answer to a message. */
export const CHAT_ANSWER_END_TYPES: ReadonlySet<string> = new Set<ChatEventType>([
  'ResponseCompleted',
  'ResponseFailed',
]);

export const chatStreamId = (sessionId: string): string => `chat-${sessionId}`;
export const CHAT_CATEGORY = 'chat';

/** The message an event belongs to: every chat event carries one. */
export function messageIdOf(event: ChatEvent): string {
  return event.data.messageId;
}
