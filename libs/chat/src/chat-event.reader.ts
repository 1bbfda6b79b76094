import { categoryReader } from '#eventsourcing';
import { CHAT_CATEGORY, type ChatEvent, type ChatEventType } from './chat.events.js';

const KNOWN: Readonly<Record<ChatEventType, true>> = {
  MessageReceived: true,
  IntentDetectionStarted: true,
  IntentDetected: true,
  AgentSelected: true,
  InvestigationLinked: true,
  ResponseChunkGenerated: true,
  ResponseCompleted: true,
  ResponseFailed: true,
};

/** The one place the read models turn a stored event into a chat event. */
export const readChatEvent = categoryReader<ChatEvent>(CHAT_CATEGORY, KNOWN);
