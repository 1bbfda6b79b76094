import type { SchemaObject } from '@nestjs/swagger';
import { inboundMessageSchemas, type InboundType } from '../websocket/ws-inbound.js';
import {
  chatEventSchemaName,
  chatEventSchemas,
  jsonSchemaOf,
  wireEventSchemaName,
  wireEventSchemas,
  investigationEventSchemas,
  investigationListEventSchemas,
  listEventSchemaName,
  type ChatWireEventType,
  type ListWireEventType,
  type WireEventType,
} from './wire-event.schemas.js';

export const ASYNCAPI_PATH = 'api/asyncapi.json';

type Ref = { readonly $ref: string };
const ref = (path: string): Ref => ({ $ref: `#/${path}` });

const INVESTIGATION_TYPES = Object.keys(investigationEventSchemas) as WireEventType[];
const CHAT_TYPES = Object.keys(chatEventSchemas) as ChatWireEventType[];
const LIST_TYPES = Object.keys(investigationListEventSchemas) as ListWireEventType[];
const CONTROL_TYPES = ['ack', 'pong', 'connected', 'subscribed', 'unsubscribed', 'error'] as const;
/** The chat sockets' participant protocol (seed): a session's view, not its event stream. */
const PARTICIPANT_TYPES = [
  'session',
  'history',
  'user_message',
  'agent_status',
  'typing',
  'agent_response',
  'ack',
  'pong',
  'error',
] as const;

/** Component messages: every stream event, every inbound command, the control replies. */
function messages(): Record<string, object> {
  const message = (name: string, summary: string, schema: string) => ({
    name,
    summary,
    contentType: 'application/json',
    payload: ref(`components/schemas/${schema}`),
  });
  const events = [
    ...INVESTIGATION_TYPES.map((t) => wireEventSchemaName(t)),
    ...CHAT_TYPES.map((t) => chatEventSchemaName(t)),
    ...LIST_TYPES.map((t) => listEventSchemaName(t)),
  ].map((name) => [name, message(name, `The ${name.replace('_', ' ')} event.`, name)]);
  const commands = (Object.keys(inboundMessageSchemas) as InboundType[]).map((type) => [
    `Command_${type}`,
    message(type, `The client's ${type} command.`, `Command_${type}`),
  ]);
  return Object.fromEntries([
    ...events,
    ...commands,
    ['Control', message('control', 'A reply without an event id: ack, pong, connected, subscribed…', 'Control')],
    [
      'ChatParticipantMessage',
      message(
        'participant',
        'The chat sockets: history on join, then user_message, agent_status, typing, agent_response.',
        'ChatParticipantMessage',
      ),
    ],
    ['StreamError', message('error', 'The server interrupted the stream: resume after retry_after.', 'StreamError')],
    [
      'StreamSubscriptions',
      message(
        'subscriptions',
        'A multiplexed connection: its control URL and streams (GET /api/v1/streams).',
        'StreamSubscriptions',
      ),
    ],
    ['CloudEvent', message('CloudEvent', 'A domain event as CloudEvents 1.0.', 'CloudEvent')],
    ['AuditCloudEvent', message('AuditCloudEvent', 'An audit record as CloudEvents 1.0.', 'AuditCloudEvent')],
    ['InvestigationState', message('state', 'The retained state of an investigation (MQTT).', 'InvestigationState')],
    [
      'GraphqlNext',
      message(
        'next',
        'graphql-transport-ws `next`: one subscription event, the wire event with its `id`.',
        'GraphqlNext',
      ),
    ],
    [
      'GraphqlClientMessage',
      message(
        'graphql-client',
        'graphql-transport-ws from the client: connection_init (the token), subscribe, complete, ping, pong.',
        'GraphqlClientMessage',
      ),
    ],
  ]);
}

function schemas(): Record<string, SchemaObject> {
  const commands = Object.entries(inboundMessageSchemas).map(([type, schema]) => [
    `Command_${type}`,
    jsonSchemaOf(schema, 'input'),
  ]);
  return {
    ...wireEventSchemas(),
    ...Object.fromEntries(commands),
    Control: {
      type: 'object',
      required: ['type'],
      properties: { type: { type: 'string', enum: [...CONTROL_TYPES] } },
      additionalProperties: true,
    },
    StreamSubscriptions: {
      type: 'object',
      required: ['type', 'connection_id', 'control_url', 'streams'],
      description:
        'POST {"subscribe":[…],"unsubscribe":[…]} to control_url changes the streams; its SSE id holds every stream\'s start.',
      properties: {
        type: { type: 'string', enum: ['subscriptions'] },
        connection_id: { type: 'string', format: 'uuid' },
        control_url: { type: 'string' },
        streams: { type: 'array', items: { type: 'string' } },
      },
      additionalProperties: false,
    },
    ChatParticipantMessage: {
      type: 'object',
      required: ['type'],
      description: 'Events carry `id` (the session revision): resume with ?last_event_id= or lastEventId.',
      properties: { type: { type: 'string', enum: [...PARTICIPANT_TYPES] }, id: { type: 'integer', minimum: 1 } },
      additionalProperties: true,
    },
    ...graphqlSchemas(),
  };
}

/** The graphql-transport-ws messages of /graphql, their `next` payloads the wire events (plus `id`). */
function graphqlSchemas(): Record<string, SchemaObject> {
  const oneOf = (names: readonly string[]): SchemaObject => ({
    allOf: [
      { oneOf: names.map((name) => ref(`components/schemas/${name}`)) },
      { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 0 } } },
    ],
    description: 'The fields the subscription selected, of the wire event; `id` is its resume point (after).',
  });
  return {
    GraphqlNext: {
      type: 'object',
      required: ['id', 'type', 'payload'],
      properties: {
        id: { type: 'string', description: "The client's operation id." },
        type: { type: 'string', enum: ['next'] },
        payload: {
          type: 'object',
          properties: {
            data: {
              type: 'object',
              properties: { investigationEvents: oneOf(investigationEvents), investigations: oneOf(listEvents) },
            },
            errors: { type: 'array', items: { type: 'object', additionalProperties: true } },
          },
        },
      },
    },
    GraphqlClientMessage: {
      type: 'object',
      required: ['type'],
      properties: {
        type: { type: 'string', enum: ['connection_init', 'subscribe', 'complete', 'ping', 'pong'] },
        id: { type: 'string' },
        payload: {
          type: 'object',
          description:
            'connection_init: {authorization: "Bearer <JWT>"} or {token}; subscribe: {query, variables, operationName}.',
          additionalProperties: true,
        },
      },
    },
  };
}

interface ChannelSpec {
  readonly address: string;
  readonly description: string;
  readonly server: 'http' | 'ws' | 'graphql' | 'socketio' | 'nats' | 'mqtt';
  readonly sends: readonly string[];
  readonly receives?: readonly string[];
  readonly parameters?: Readonly<Record<string, string>>;
  /** MQTT: what the server's publishes are sent as. */
  readonly mqtt?: { readonly qos: 0 | 1 | 2; readonly retain: boolean };
}

const investigationEvents = INVESTIGATION_TYPES.map((t) => wireEventSchemaName(t));
const chatEvents = CHAT_TYPES.map((t) => chatEventSchemaName(t));
const listEvents = LIST_TYPES.map((t) => listEventSchemaName(t));
const commands = (...types: InboundType[]) => types.map((t) => `Command_${t}`);
const investigationId = { investigationId: 'The investigation.' };
const sessionId = { sessionId: 'The chat session.' };
const MQTT_PROPERTIES =
  'MQTT 5 user properties `event-id` (the SSE id: the revision in its stream) and `event-type`; QoS 1. Published at least once: a subscriber drops an `event-id` it already has for that stream (docs/mqtt.md). The prefix is MQTT_TOPIC_PREFIX.';

/** Every stream the server has, on every transport: one home, so a transport cannot forget an event type. */
export const CHANNELS: Readonly<Record<string, ChannelSpec>> = {
  investigationSse: {
    address: '/api/v1/investigations/stream/{investigationId}',
    description:
      'SSE: `id: <revision>`, `data: <event>`; resume with Last-Event-ID; ends after complete, error or cancelled.',
    server: 'http',
    sends: [...investigationEvents, 'StreamError'],
    parameters: investigationId,
  },
  chatSse: {
    address: '/api/v1/chat/sessions/{sessionId}/stream',
    description: "SSE: a chat session's events; resume with Last-Event-ID; ends once every answer is complete.",
    server: 'http',
    sends: [...chatEvents, 'StreamError'],
    parameters: sessionId,
  },
  listSse: {
    address: '/api/v1/investigations/stream',
    description:
      'SSE: the investigations list live, each change to a summary the caller may see as its list item, `id: <position>`; resume with Last-Event-ID or the last_event_id of a GET /api/v1/investigations page; ?owner= (auditor, admin).',
    server: 'http',
    sends: [...listEvents, 'StreamError'],
  },
  eventFeedSse: {
    address: '/api/v1/events/stream',
    description: 'SSE: every stored event as a CloudEvent, id = global position (auditor, admin); ?category=, ?type=.',
    server: 'http',
    sends: ['CloudEvent', 'StreamError'],
  },
  multiplexedSse: {
    address: '/api/v1/streams',
    description:
      "SSE, several streams on one connection: ?subscribe=investigation:<id>,chat:<session>,investigations,events. Each event is its stream's own event with a `stream` field first (no `event:` line); `id` is a base64url cursor of every stream's position, resumed with Last-Event-ID. StreamSubscriptions comes first and after each change through its control_url (docs/events.md).",
    server: 'http',
    sends: [...investigationEvents, ...chatEvents, ...listEvents, 'CloudEvent', 'StreamSubscriptions', 'StreamError'],
  },
  investigationWebSocket: {
    address: '/api/v1/ws/investigations/{investigationId}',
    description: 'Raw WebSocket: the SSE events with their `id`; ?token=, ?last_event_id=. Closes 1000 after the end.',
    server: 'ws',
    sends: [...investigationEvents, 'Control'],
    receives: commands('ping', 'cancel', 'resume'),
    parameters: investigationId,
  },
  chatWebSocket: {
    address: '/api/v1/ws/chat/{sessionId}',
    description:
      "Raw WebSocket, the seed's participant protocol: history on join (or what was missed after ?last_event_id=), then the session live.",
    server: 'ws',
    sends: ['ChatParticipantMessage'],
    receives: commands('ping', 'message', 'typing'),
    parameters: sessionId,
  },
  generalWebSocket: {
    address: '/api/v1/ws',
    description:
      'Raw WebSocket, multiplexed: subscribe to investigation:<id> or chat:<session>; events tagged with `stream`.',
    server: 'ws',
    sends: [...investigationEvents, ...chatEvents, 'Control'],
    receives: commands('ping', 'subscribe', 'unsubscribe'),
  },
  graphqlWebSocket: {
    address: '/graphql',
    description:
      'GraphQL subscriptions over graphql-transport-ws (graphql-ws): investigationEvents(id, after) carries the SSE events of an investigation with their id (resume with after = the last id), investigations(after, owner) the list changes. The token goes in connection_init; refusals close 4401 (no valid token) or 4403 (no investigation:watch). Queries: POST or GET /graphql (OpenAPI).',
    server: 'graphql',
    sends: ['GraphqlNext'],
    receives: ['GraphqlClientMessage'],
  },
  investigationsSocketIo: {
    address: '/investigations',
    description:
      'Socket.IO namespace: auth {token, investigationId, lastEventId}; each event emitted under its type with its `id`.',
    server: 'socketio',
    sends: [...investigationEvents, 'Control'],
    receives: commands('ping', 'subscribe', 'unsubscribe', 'cancel'),
  },
  chatSocketIo: {
    address: '/chat',
    description:
      'Socket.IO namespace, the participant protocol: auth {token?, sessionId, sessionToken?, lastEventId?}.',
    server: 'socketio',
    sends: ['ChatParticipantMessage'],
    receives: commands('ping', 'message', 'typing'),
  },
  eventsJetStream: {
    address: 'events.{category}.{eventType}',
    description: 'JetStream stream EVENTS (NATS_EVENTS_SUBJECT prefix): every stored event once, as a CloudEvent.',
    server: 'nats',
    sends: ['CloudEvent'],
    parameters: { category: 'investigation, chat…', eventType: 'The domain event type, e.g. InvestigationStarted.' },
  },
  auditJetStream: {
    address: 'audit.{eventType}',
    description: 'JetStream stream AUDIT (NATS_AUDIT_SUBJECT prefix): every audit record once, in seq order.',
    server: 'nats',
    sends: ['AuditCloudEvent'],
    parameters: { eventType: 'The audit record event_type, e.g. investigation.started.' },
  },
  mqttInvestigation: {
    address: 'cidadao/investigations/{investigationId}/{eventType}',
    description: `MQTT (MQTT_URL): the SSE events of an investigation, the same JSON, in order. ${MQTT_PROPERTIES}`,
    server: 'mqtt',
    sends: investigationEvents,
    parameters: { ...investigationId, eventType: 'The wire event type: progress, phase, anomaly, complete…' },
    mqtt: { qos: 1, retain: false },
  },
  mqttInvestigationState: {
    address: 'cidadao/investigations/{investigationId}/state',
    description:
      'MQTT, retained: the investigation at a glance after its latest event (status, phase, progress, anomaly counts), so a device that subscribes late sees it at once; `event-id` is its last_event_id.',
    server: 'mqtt',
    sends: ['InvestigationState'],
    parameters: investigationId,
    mqtt: { qos: 1, retain: true },
  },
  mqttChat: {
    address: 'cidadao/chat/{sessionId}/{eventType}',
    description: `MQTT (MQTT_URL): the SSE events of a chat session, the same JSON, in order. ${MQTT_PROPERTIES}`,
    server: 'mqtt',
    sends: chatEvents,
    parameters: { ...sessionId, eventType: 'The wire event type: start, detecting, chunk, complete…' },
    mqtt: { qos: 1, retain: false },
  },
};

function channel(spec: ChannelSpec): object {
  const names = [...spec.sends, ...(spec.receives ?? [])];
  return {
    address: spec.address,
    description: spec.description,
    servers: [ref(`servers/${spec.server}`)],
    messages: Object.fromEntries(names.map((name) => [name, ref(`components/messages/${name}`)])),
    ...(spec.parameters
      ? {
          parameters: Object.fromEntries(
            Object.entries(spec.parameters).map(([name, description]) => [name, { description }]),
          ),
        }
      : {}),
  };
}

function operations(): Record<string, object> {
  return Object.fromEntries(
    Object.entries(CHANNELS).flatMap(([name, spec]) => {
      const op = (action: 'send' | 'receive', list: readonly string[]) => ({
        action,
        channel: ref(`channels/${name}`),
        messages: list.map((message) => ref(`channels/${name}/messages/${message}`)),
      });
      const bindings = spec.mqtt ? { bindings: { mqtt: { ...spec.mqtt, bindingVersion: '0.2.0' } } } : {};
      return [
        [`${name}_send`, { ...op('send', spec.sends), ...bindings }],
        ...(spec.receives ? [[`${name}_receive`, op('receive', spec.receives)]] : []),
      ];
    }),
  );
}

/** The AsyncAPI 3.0 document of every stream, from the same wire schemas as the OpenAPI document. */
export function buildAsyncApiDocument(
  host = 'localhost:8000',
  natsHost = 'localhost:4222',
  mqttHost = 'localhost:1883',
): Record<string, unknown> {
  const security = (scheme: string) => [ref(`components/securitySchemes/${scheme}`)];
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Cidadão.AI streaming API',
      version: '1',
      description:
        'Every stream of the API: SSE, raw WebSocket, Socket.IO, the JetStream feeds and the MQTT bridge. Events carry an id; every transport resumes after it. Webhooks (POST /api/v1/webhooks) push the feed’s CloudEvents by outbound HTTP POST, signed as Standard Webhooks specifies; AsyncAPI has no binding for outbound HTTP, so their contract is docs/webhooks.md.',
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
    },
    defaultContentType: 'application/json',
    servers: {
      http: { host, protocol: 'http', description: 'Server-Sent Events.', security: security('bearer') },
      ws: { host, protocol: 'ws', description: 'Raw WebSocket.', security: security('queryToken') },
      graphql: {
        host,
        protocol: 'ws',
        pathname: '/graphql',
        description: 'GraphQL over WebSocket, subprotocol graphql-transport-ws; the token goes in connection_init.',
      },
      socketio: {
        host,
        protocol: 'ws',
        pathname: '/socket.io',
        description: 'Socket.IO 4 (Engine.IO 4 over WebSocket); the token goes in the handshake auth.',
      },
      nats: { host: natsHost, protocol: 'nats', description: 'NATS JetStream (streams EVENTS and AUDIT).' },
      mqtt: {
        host: mqttHost,
        protocol: 'mqtt',
        protocolVersion: '5',
        description:
          'The MQTT broker of MQTT_URL, where the bridge publishes (topics under MQTT_TOPIC_PREFIX, default cidadao); its access rules are the broker’s.',
      },
    },
    channels: Object.fromEntries(Object.entries(CHANNELS).map(([name, spec]) => [name, channel(spec)])),
    operations: operations(),
    components: {
      schemas: schemas(),
      messages: messages(),
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        queryToken: { type: 'httpApiKey', name: 'token', in: 'query', description: 'A JWT, as ?token=.' },
      },
    },
  };
}
