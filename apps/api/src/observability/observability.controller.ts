import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { MetricsSettings, Runtime } from '#platform';
import { Public } from '../auth/auth.decorators.js';
import { ApiError } from '../http/api-error.js';
import { RUNTIME, SETTINGS } from '../tokens.js';
import { DASHBOARD_UID, grafanaDashboard } from './dashboard-file.js';
import { DocObservability, DocObservabilityDashboard } from './observability.docs.js';

/** The seed's four metric names first, then ours. */
const METRIC_NAMES = [
  'http_request_duration_seconds',
  'websocket_connections_active',
  'sse_events_sent_total',
  'streaming_errors_total',
  'sse_streams_active',
  'command_processing_duration_seconds',
  'commands_dead_lettered_total',
  'events_appended_total',
  'projection_lag_events',
  'jetstream_consumer_pending',
  'audit_export_rows_total',
  'audit_exports_active',
] as const;

/**
 * The seed's "Grafana Dashboard: available at /api/v1/observability": a browser is sent to
 * the dashboard (GRAFANA_URL); other clients get where everything is and this process's
 * live figures. Public, like /metrics.
 */
@Public()
@Controller('api/v1/observability')
export class ObservabilityController {
  constructor(
    @Inject(RUNTIME) private readonly runtime: Pick<Runtime, 'metrics' | 'store' | 'bus'>,
    @Inject(SETTINGS.metrics) private readonly settings: MetricsSettings,
  ) {}

  @Get()
  @DocObservability()
  async overview(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const dashboardUrl = this.dashboardUrl();
    if (dashboardUrl && req.accepts(['json', 'html']) === 'html') return res.redirect(302, dashboardUrl);
    const { metrics, store, bus } = this.runtime;
    const [streams, sockets, lag, head] = await Promise.all([
      metrics.sseStreamsActive.get(),
      metrics.websocketConnectionsActive.get(),
      metrics.projectionLag.get(),
      store.headPosition().catch(() => null),
    ]);
    return {
      metrics: { prometheus: '/metrics', names: METRIC_NAMES },
      dashboard: { grafana_url: dashboardUrl, definition: '/api/v1/observability/dashboard', uid: DASHBOARD_UID },
      live: {
        sse_streams_active: streams.values.reduce((sum, v) => sum + v.value, 0),
        websocket_connections_active: Object.fromEntries(sockets.values.map((v) => [String(v.labels.type), v.value])),
        projection_lag_events: lag.values.find((v) => v.labels.projection === undefined)?.value ?? 0,
        event_store: { kind: store.kind, head_position: head },
        command_bus: { kind: bus.kind },
      },
    };
  }

  /** The Grafana dashboard JSON, for importing into an existing Grafana. */
  @Get('dashboard')
  @DocObservabilityDashboard()
  async dashboard() {
    const definition = await grafanaDashboard();
    if (definition === null)
      throw new ApiError(
        404,
        'DASHBOARD_NOT_FOUND',
        'this installation does not ship docker/grafana/dashboards/streaming.json',
      );
    return definition;
  }

  private dashboardUrl(): string | null {
    const base = this.settings.grafanaUrl;
    return base ? `${base.replace(/\/+$/, '')}/d/${DASHBOARD_UID}` : null;
  }
}
