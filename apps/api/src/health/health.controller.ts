import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { Runtime } from '#platform';
import { Public } from '../auth/auth.decorators.js';
import { DocLiveness, DocMetrics, DocReadiness } from '../docs/api-docs.decorators.js';
import { ApiError } from '../http/api-error.js';
import { RUNTIME } from '../tokens.js';

@Public()
@Controller()
export class HealthController {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  /** Liveness: the process answers. */
  @Get('health')
  @DocLiveness()
  health() {
    return { status: 'ok', uptime_seconds: Math.round(process.uptime()) };
  }

  /** Readiness: the bus and the store answer. */
  @Get('health/ready')
  @DocReadiness()
  async ready() {
    const { bus, store } = this.runtime;
    const checks = await Promise.allSettled([bus.ping(), store.ping()]);
    const [busCheck, storeCheck] = checks.map((c) => (c.status === 'fulfilled' ? 'up' : 'down'));
    const body = { status: checks.every((c) => c.status === 'fulfilled') ? 'ready' : 'unavailable', bus: { kind: bus.kind, status: busCheck }, store: { kind: store.kind, status: storeCheck } };
    if (body.status !== 'ready') throw new ApiError(503, 'NOT_READY', JSON.stringify(body), body, 5);
    return body;
  }

  @Get(['metrics', 'health/metrics'])
  @Header('Cache-Control', 'no-store')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @DocMetrics()
  async metrics(): Promise<string> {
    return this.runtime.metrics.registry.metrics();
  }
}
