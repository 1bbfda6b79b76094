import type { HubControl, HubProjection } from '#eventsourcing';
import { CHAT_ANSWER_END_TYPES, chatEventCatalog, messageIdOf, toChatWireEvent, type ChatWireEvent } from '#chat';
import { WireFrame } from '../streaming/wire-frame.js';

/** A session's events as the seed's chat events, made once per event for every subscriber. */
export const chatProjection: HubProjection<WireFrame<ChatWireEvent>> = {
  frame: (event) => {
    const data = toChatWireEvent(chatEventCatalog.decode(event));
    return data === null ? null : new WireFrame(event.revision, data);
  },
};

/** One message's answer: its events only, ending with the answer's end. */
export function answerControl(messageId: string): HubControl<WireFrame<ChatWireEvent>> {
  return ({ event }) => {
    if (messageIdOf(chatEventCatalog.decode(event)) !== messageId) return 'skip';
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
  return ({ event: recorded }) => {
    const event = chatEventCatalog.decode(recorded);
    if (event.type === 'MessageReceived') open.add(event.data.messageId);
    if (CHAT_ANSWER_END_TYPES.has(event.type)) open.delete(messageIdOf(event));
    const { revision } = recorded;
    return open.size === 0 && revision >= lastRevision ? 'last' : 'deliver';
  };
}
