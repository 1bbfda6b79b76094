import { Controller, Get, Header, Inject } from '@nestjs/common';
import { checkReadiness, runtimeDependencies, type Runtime } from '#platform';
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

  /** Readiness: the bus, the event store and the audit log answer; the body names any that does not. */
  @Get('health/ready')
  @DocReadiness()
  async ready() {
    const body = await checkReadiness(runtimeDependencies(this.runtime));
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
