import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';

const anyObject = { type: 'object', additionalProperties: true } as const;

export const DocObservability = () =>
  applyDecorators(
    ApiTags('health'),
    ApiOperation({
      summary: "Where the metrics and the Grafana dashboard are, and this process's live figures",
      description: 'A browser (Accept: text/html) is redirected to the dashboard when GRAFANA_URL is set.',
    }),
    ApiResponse({
      status: 200,
      description:
        '{ metrics: { prometheus, names }, dashboard: { grafana_url, definition, uid }, live: { sse_streams_active, websocket_connections_active, projection_lag_events, event_store, command_bus } }',
      content: { 'application/json': { schema: anyObject } },
    }),
    ApiResponse({ status: 302, description: 'To the Grafana dashboard (browsers, GRAFANA_URL set).' }),
  );

export const DocObservabilityDashboard = () =>
  applyDecorators(
    ApiTags('health'),
    ApiOperation({ summary: 'The Grafana dashboard definition (JSON), as docker compose provisions it' }),
    ApiResponse({
      status: 200,
      description: 'Grafana dashboard JSON.',
      content: { 'application/json': { schema: anyObject } },
    }),
  );
