import { readChatEvent, toChatWireEvent, type ChatEvent } from '#chat';
import { entityIdOf, type ProjectionContext, type RecordedEvent, type Stored } from '#eventsourcing';
import {
  emptyInvestigationBrief,
  evolveInvestigationBrief,
  readInvestigationEvent,
  stateMessageOf,
  toInvestigationWireEvent,
  type InvestigationBrief,
  type InvestigationEvent,
} from '#investigations';
import type { MqttFeed } from './mqtt-bridge.js';
import type { MqttMessage } from './mqtt-link.js';

type DeviceEvent =
  | { readonly kind: 'investigation'; readonly event: Stored<InvestigationEvent> }
  | { readonly kind: 'chat'; readonly event: Stored<ChatEvent> };

/** The wire events of SSE, one MQTT message each, its id and type also as user properties. */
function wireMessage(topic: string, id: number, data: { readonly type: string }, retain = false): MqttMessage {
  return {
    topic,
    payload: JSON.stringify(data),
    retain,
    userProperties: { 'event-id': String(id), 'event-type': data.type },
  };
}

/**
 * Investigation and chat events for devices, as the SSE streams carry them (the same wire
 * projections, the same JSON): `<prefix>/investigations/<id>/<type>` and
 * `<prefix>/chat/<session>/<type>`, with `event-id` the SSE id (the event's revision in its
 * stream). After each investigation event, the retained `<prefix>/investigations/<id>/state`
 * holds the investigation's brief as of that event.
 */
export function deviceFeed(prefix: string): MqttFeed<DeviceEvent> {
  const briefs = `mqtt-briefs:${prefix}`;
  return {
    name: `mqtt-bridge:${prefix}`,
    version: 1,
    collections: [briefs],
    read: (event: RecordedEvent): DeviceEvent | null => {
      const investigation = readInvestigationEvent(event);
      if (investigation) return { kind: 'investigation', event: investigation };
      const chat = readChatEvent(event);
      return chat ? { kind: 'chat', event: chat } : null;
    },
    messages: async (device, context) =>
      device.kind === 'chat'
        ? chatMessages(prefix, device.event)
        : investigationMessages(prefix, briefs, device.event, context),
  };
}

function chatMessages(prefix: string, event: Stored<ChatEvent>): MqttMessage[] {
  const data = toChatWireEvent(event);
  if (data === null) return [];
  return [wireMessage(`${prefix}/chat/${entityIdOf(event.streamId)}/${data.type}`, event.revision, data)];
}

async function investigationMessages(
  prefix: string,
  briefs: string,
  event: Stored<InvestigationEvent>,
  context: ProjectionContext,
): Promise<MqttMessage[]> {
  const id = entityIdOf(event.streamId);
  const current = (await context.get<InvestigationBrief>(briefs, id)) ?? emptyInvestigationBrief(id);
  const brief = evolveInvestigationBrief(current, event);
  context.put(briefs, id, brief, { owner: null, status: brief.status, sortAt: null, search: null });
  const data = toInvestigationWireEvent(event);
  if (data === null) return [];
  const topic = `${prefix}/investigations/${id}`;
  return [
    wireMessage(`${topic}/${data.type}`, event.revision, data),
    wireMessage(`${topic}/state`, event.revision, stateMessageOf(brief), true),
  ];
}
