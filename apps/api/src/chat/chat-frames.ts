import type { HubControl, HubProjection, RecordedEvent, Stored } from '#eventsourcing';
import {
  CHAT_ANSWER_END_TYPES,
  messageIdOf,
  toChatWireEvent,
  type ChatEvent,
  type ChatEventType,
  type ChatWireEvent,
} from '#chat';
import { WireFrame } from '../streaming/wire-frame.js';

const KNOWN: Record<ChatEventType, true> = {
  MessageReceived: true,
  IntentDetectionStarted: true,
  IntentDetected: true,
  AgentSelected: true,
  InvestigationLinked: true,
  ResponseChunkGenerated: true,
  ResponseCompleted: true,
  ResponseFailed: true,
};

/** A stored event of a chat session, told by its type; other types have no wire form. */
export function isChatEvent(event: RecordedEvent): event is RecordedEvent & Stored<ChatEvent> {
  return Object.hasOwn(KNOWN, event.type);
}

/** A session's events as the seed's chat events, made once per event for every subscriber. */
export const chatProjection: HubProjection<WireFrame<ChatWireEvent>> = {
  frame: (event) => {
    const data = isChatEvent(event) ? toChatWireEvent(event) : null;
    return data === null ? null : new WireFrame(event.revision, data);
  },
};

/** One message's answer: its events only, ending with the answer's end. */
export function answerControl(messageId: string): HubControl<WireFrame<ChatWireEvent>> {
  return ({ event }) => {
    if (!isChatEvent(event) || messageIdOf(event) !== messageId) return 'skip';
    return CHAT_ANSWER_END_TYPES.has(event.type) ? 'last' : 'deliver';
  };
}

/**
 * A session replayed after a revision: it ends once every message received so far (the
 * `pending` ones and those it meets) has its answer and the replay reached `lastRevision`.
 */
export function answeredControl(
  pending: readonly string[],
  lastRevision: number,
): HubControl<WireFrame<ChatWireEvent>> {
  const open = new Set(pending);
  return ({ event }) => {
    if (isChatEvent(event)) {
      if (event.type === 'MessageReceived') open.add(event.data.messageId);
      if (CHAT_ANSWER_END_TYPES.has(event.type)) open.delete(messageIdOf(event));
    }
    return open.size === 0 && event.revision >= lastRevision ? 'last' : 'deliver';
  };
}
