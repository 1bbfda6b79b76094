import type { OpenAPIObject } from '@nestjs/swagger';

/** Names people would give these operations; any other gets one made of its method and path. */
const NAMED: Readonly<Record<string, string>> = {
  'GET /health': 'getLiveness',
  'GET /health/ready': 'getReadiness',
  'GET /metrics': 'getMetrics',
  'GET /health/metrics': 'getHealthMetrics',
  'POST /api/v1/investigations': 'startInvestigation',
  'POST /api/v1/investigations/preview': 'previewInvestigation',
  'GET /api/v1/investigations/{id}': 'getInvestigation',
  'POST /api/v1/investigations/{id}/cancel': 'cancelInvestigation',
  'GET /api/v1/investigations/stream/{id}': 'streamInvestigation',
  'GET /api/v1/investigations/{id}/events': 'getInvestigationEvents',
  'GET /api/v1/investigations/{id}/replay': 'replayInvestigation',
  'POST /api/v1/chat/stream': 'streamChatAnswer',
  'POST /api/v1/chat/message': 'sendChatMessage',
  'GET /api/v1/chat/sessions/{id}': 'getChatSession',
  'GET /api/v1/chat/sessions/{id}/stream': 'streamChatSession',
  'GET /api/v1/chat/agents': 'listChatAgents',
  'POST /api/v1/chat/direct/maritaca/stream': 'streamMaritacaCompletion',
  'GET /api/v1/events/stream': 'streamEvents',
  'GET /api/v1/streams': 'streamMultiplexed',
  'POST /api/v1/streams/{connectionId}': 'changeMultiplexedStreams',
  'GET /api/v1/audit/verify': 'verifyAuditLog',
  'GET /api/v1/audit/export': 'exportAuditLog',
  'POST /api/v1/admin/users/{userId}/revoke-tokens': 'revokeUserTokens',
  'GET /api/v1/auth/me': 'getCurrentCaller',
  'GET /api/v1/observability': 'getObservabilityOverview',
  'GET /api/v1/observability/dashboard': 'getObservabilityDashboard',
  'GET /api/asyncapi.json': 'getAsyncApiDocument',
};

const capital = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);

/** `get` + the path's words: GET /api/v1/foo/{id}/bar-baz becomes getFooByIdBarBaz. */
export function operationIdOf(method: string, path: string): string {
  const named = NAMED[`${method.toUpperCase()} ${path}`];
  if (named) return named;
  const words = path
    .replace(/^\/api\/v\d+/, '')
    .split('/')
    .filter(Boolean)
    .flatMap((segment) => {
      const parameter = /^\{(\w+)\}$/.exec(segment)?.[1];
      return parameter ? ['by', parameter] : segment.split(/[^A-Za-z0-9]+/);
    });
  return method.toLowerCase() + words.map(capital).join('');
}

/** Every operation with a readable, unique operationId (Nest's are `Controller_method[index]`). */
export function withReadableOperationIds(document: OpenAPIObject): OpenAPIObject {
  const paths = Object.fromEntries(
    Object.entries(document.paths).map(([path, item]) => [
      path,
      Object.fromEntries(
        Object.entries(item).map(([method, operation]) =>
          typeof operation === 'object' && operation !== null && 'responses' in operation
            ? [method, { ...operation, operationId: operationIdOf(method, path) }]
            : [method, operation],
        ),
      ),
    ]),
  );
  return { ...document, paths };
}
