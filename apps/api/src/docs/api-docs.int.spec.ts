import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { OpenAPIObject, OperationObject, SchemaObject } from '@nestjs/swagger';
import { startEmbeddedApp, type EmbeddedApp } from '../../../../test/support/embedded-app.js';

let app: EmbeddedApp;
let doc: OpenAPIObject;
beforeAll(async () => {
  app = await startEmbeddedApp();
  const res = await fetch(`${app.url}/api/docs-json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as OpenAPIObject;
});
afterAll(async () => {
  await app?.stop();
});

interface RouteLayer {
  readonly route?: { readonly path: unknown; readonly methods: Record<string, boolean> };
}

/** Every route the running server answers, read from Express itself, as `METHOD /openapi/{path}`. */
function servedRoutes(): string[] {
  const express = app.api.app.getHttpAdapter().getInstance() as { router: { stack: RouteLayer[] } };
  const routes = express.router.stack.flatMap((layer) => {
    if (!layer.route) return [];
    const paths = [layer.route.path].flat().filter((p): p is string => typeof p === 'string');
    const methods = Object.keys(layer.route.methods).filter((m) => m !== '_all');
    return paths.flatMap((path) => methods.map((m) => `${m.toUpperCase()} ${path.replace(/:(\w+)/g, '{$1}')}`));
  });
  // The documentation's own pages are not part of the API.
  return routes.filter((r) => !r.includes(' /api/docs'));
}

function operation(method: string, path: string): OperationObject {
  const op = doc.paths[path]?.[method as 'get'];
  if (!op) throw new Error(`${method.toUpperCase()} ${path} is not documented`);
  return op;
}

const ref = (schema: unknown): string | undefined => (schema as { $ref?: string } | undefined)?.$ref;

describe('OpenAPI document', () => {
  it('lists every route the server answers', () => {
    const served = servedRoutes();
    expect(served.length).toBeGreaterThanOrEqual(7);
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented).toEqual(expect.arrayContaining(served));
  });

  it('describes the success response of every route, with its media type', () => {
    for (const route of servedRoutes()) {
      const [method = '', path = ''] = route.split(' ');
      const success = Object.entries(operation(method.toLowerCase(), path).responses ?? {}).find(([status]) =>
        status.startsWith('2'),
      )?.[1];
      expect({ route, documented: success !== undefined && 'content' in success }).toEqual({ route, documented: true });
    }
  });

  it('gives the request bodies the schemas that validate them', () => {
    expect(
      ref(
        (operation('post', '/api/v1/investigations').requestBody as { content: Record<string, { schema: unknown }> })
          .content['application/json']?.schema,
      ),
    ).toBe('#/components/schemas/StartInvestigationRequest');
    const start = doc.components?.schemas?.StartInvestigationRequest as SchemaObject;
    expect(start.required).toEqual(['query']);
    expect(start.additionalProperties).toBe(false);
    expect(Object.keys(start.properties ?? {}).sort()).toEqual(['anomaly_types', 'data_source', 'filters', 'query']);
    expect(operation('post', '/api/v1/investigations').responses['202']).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/InvestigationAccepted' } } },
    });
    expect(operation('get', '/api/v1/investigations/{id}').responses['404']).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    });
  });

  it('documents the SSE stream as text/event-stream with every event type', () => {
    const stream = operation('get', '/api/v1/investigations/stream/{id}');
    const media = (
      stream.responses['200'] as {
        content: Record<string, { schema: { oneOf: unknown[]; discriminator: { mapping: Record<string, string> } } }>;
      }
    ).content['text/event-stream'];
    expect(Object.keys(media?.schema.discriminator.mapping ?? {}).sort()).toEqual([
      'anomaly',
      'cancelled',
      'complete',
      'error',
      'phase',
      'progress',
      'trends',
    ]);
    for (const target of Object.values(media?.schema.discriminator.mapping ?? {})) {
      const name = target.replace('#/components/schemas/', '');
      expect(doc.components?.schemas?.[name]).toMatchObject({
        type: 'object',
        properties: { type: expect.any(Object) },
      });
    }
    const parameters = (stream.parameters ?? []) as Array<{ name: string; in: string; required?: boolean }>;
    expect(parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'last-event-id', in: 'header', required: false }),
        expect.objectContaining({ name: 'last_event_id', in: 'query', required: false }),
        expect.objectContaining({ name: 'id', in: 'path' }),
      ]),
    );
  });

  it('shows each operation once, under one lower-case tag, with a readable unique operationId', () => {
    const operations = Object.values(doc.paths).flatMap((item) =>
      Object.values(item).filter(
        (op): op is OperationObject => typeof op === 'object' && op !== null && 'responses' in op,
      ),
    );
    expect(operations.length).toBeGreaterThanOrEqual(20);
    expect(operations.filter((op) => op.tags?.length !== 1 || !/^[a-z]+$/.test(op.tags[0] ?? ''))).toEqual([]);
    const ids = operations.map((op) => op.operationId ?? '');
    expect(ids.filter((id) => !/^[a-z]+(?:[A-Z][a-z0-9]*)+$/.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(operation('post', '/api/v1/investigations').operationId).toBe('startInvestigation');
    expect(operation('get', '/api/v1/investigations/stream/{id}').operationId).toBe('streamInvestigation');
  });

  it('names the servers to call', () => {
    expect(doc.servers?.map((s) => s.url)).toEqual(['/', 'http://localhost:8000']);
  });

  it('types the feed, the chat streams and the audit records instead of free objects', () => {
    const media = (method: string, path: string, type: string) =>
      (operation(method, path).responses['200'] as { content: Record<string, { schema: SchemaObject }> }).content[type]
        ?.schema;
    const refs = (schema: SchemaObject | undefined) => (schema?.oneOf ?? []).map(ref);
    expect(refs(media('get', '/api/v1/events/stream', 'text/event-stream'))).toEqual([
      '#/components/schemas/CloudEvent',
      '#/components/schemas/StreamError',
    ]);
    for (const path of ['/api/v1/chat/sessions/{id}/stream']) {
      const chat = media('get', path, 'text/event-stream');
      expect(Object.keys(chat?.discriminator?.mapping ?? {}).sort()).toEqual([
        'agent_selected',
        'chunk',
        'complete',
        'detecting',
        'error',
        'intent',
        'start',
      ]);
    }
    expect(refs(media('post', '/api/v1/chat/stream', 'text/event-stream'))).toHaveLength(7);
    expect(ref(media('get', '/api/v1/audit/export', 'application/json')?.items)).toBe(
      '#/components/schemas/AuditRecord',
    );
    expect(ref(media('get', '/api/v1/audit/verify', 'application/json'))).toBe(
      '#/components/schemas/AuditVerification',
    );
    for (const name of ['CloudEvent', 'StreamError', 'AuditRecord', 'AuditVerification', 'ChatEvent_chunk'])
      expect(doc.components?.schemas?.[name]).toMatchObject({ type: 'object', properties: expect.any(Object) });
  });

  it('serves the Swagger UI at /api/docs', async () => {
    const res = await fetch(`${app.url}/api/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain('swagger-ui');
  });
});
