import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Parser } from '@asyncapi/parser';
import { startEmbeddedApp, type EmbeddedApp } from '../../../../test/support/embedded-app.js';
import { CHANNELS } from './asyncapi.js';
import {
  chatEventSchemaName,
  chatEventSchemas,
  investigationEventSchemas,
  investigationListEventSchemas,
  listEventSchemaName,
  wireEventSchemaName,
} from './wire-event.schemas.js';
import type { ChatWireEventType, ListWireEventType, WireEventType } from './wire-event.schemas.js';

let app: EmbeddedApp;
let doc: { channels: Record<string, { address: string; messages: Record<string, unknown> }> } & Record<string, unknown>;
beforeAll(async () => {
  app = await startEmbeddedApp();
  const res = await fetch(`${app.url}/api/asyncapi.json`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  doc = (await res.json()) as typeof doc;
});
afterAll(async () => {
  await app?.stop();
});

const channelsOf = (kind: 'investigation'): string[] =>
  Object.keys(CHANNELS).filter((name) => name.toLowerCase().startsWith(kind));

describe('AsyncAPI document', () => {
  it('is a valid AsyncAPI 3.0 document, as the official parser reads it', async () => {
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(doc));
    const errors = diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join('.')}: ${d.message}`);
    expect(errors).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    expect(document?.channels().length).toBe(Object.keys(CHANNELS).length);
  });

  it('describes every stream endpoint: SSE, the three WebSocket endpoints, the Socket.IO namespaces, JetStream', () => {
    expect(Object.values(doc.channels).map((c) => c.address)).toEqual(
      expect.arrayContaining([
        '/api/v1/investigations/stream/{investigationId}',
        '/api/v1/chat/sessions/{sessionId}/stream',
        '/api/v1/events/stream',
        '/api/v1/ws/investigations/{investigationId}',
        '/api/v1/ws/chat/{sessionId}',
        '/api/v1/ws',
        '/investigations',
        '/chat',
        'events.{category}.{eventType}',
        'audit.{eventType}',
        '/api/v1/investigations/stream',
        'cidadao/investigations/{investigationId}/{eventType}',
        'cidadao/investigations/{investigationId}/state',
        'cidadao/chat/{sessionId}/{eventType}',
        '/graphql',
      ]),
    );
  });

  it('carries every wire event type on every transport of its stream', () => {
    const missing: string[] = [];
    for (const type of Object.keys(investigationEventSchemas) as WireEventType[])
      for (const name of [...channelsOf('investigation'), 'generalWebSocket'])
        if (!doc.channels[name]?.messages[wireEventSchemaName(type)]) missing.push(`${name}: ${type}`);
    for (const type of Object.keys(investigationEventSchemas) as WireEventType[])
      if (!doc.channels.mqttInvestigation?.messages[wireEventSchemaName(type)])
        missing.push(`mqttInvestigation: ${type}`);
    for (const type of Object.keys(chatEventSchemas) as ChatWireEventType[])
      for (const name of ['chatSse', 'generalWebSocket', 'mqttChat'])
        if (!doc.channels[name]?.messages[chatEventSchemaName(type)]) missing.push(`${name}: ${type}`);
    for (const type of Object.keys(investigationListEventSchemas) as ListWireEventType[])
      if (!doc.channels.listSse?.messages[listEventSchemaName(type)]) missing.push(`listSse: ${type}`);
    expect(channelsOf('investigation').length).toBe(3);
    expect(missing).toEqual([]);
    // The chat sockets speak the participant protocol, not the event stream.
    for (const name of ['chatWebSocket', 'chatSocketIo'])
      expect(Object.keys(doc.channels[name]?.messages ?? {})).toContain('ChatParticipantMessage');
  });

  it('lists the inbound commands of the raw WebSocket endpoints', () => {
    expect(Object.keys(doc.channels.investigationWebSocket?.messages ?? {})).toEqual(
      expect.arrayContaining(['Command_ping', 'Command_cancel', 'Command_resume']),
    );
    expect(Object.keys(doc.channels.generalWebSocket?.messages ?? {})).toEqual(
      expect.arrayContaining(['Command_subscribe', 'Command_unsubscribe']),
    );
  });
});
