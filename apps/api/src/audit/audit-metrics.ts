import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import type { Runtime } from '#platform';
import { RUNTIME } from '../tokens.js';

/** Rows read from the log by exports: how far an export got, also after a client left mid-way. */
@Injectable()
export class AuditMetrics {
  readonly exportRows: Counter;
  /** Exports whose store reads have not finished: 0 after a client left means the reading stopped. */
  readonly exportsActive: Gauge;

  constructor(@Inject(RUNTIME) runtime: Runtime) {
    const registers = [runtime.metrics.registry];
    // Several Nest apps may share one registry in tests: reuse rather than register twice.
    const rows = runtime.metrics.registry.getSingleMetric('audit_export_rows_total');
    this.exportRows =
      rows instanceof Counter
        ? rows
        : new Counter({
            name: 'audit_export_rows_total',
            help: 'Audit records read from the log by exports',
            labelNames: ['format'],
            registers,
          });
    const active = runtime.metrics.registry.getSingleMetric('audit_exports_active');
    this.exportsActive =
      active instanceof Gauge
        ? active
        : new Gauge({ name: 'audit_exports_active', help: 'Audit exports still reading the log', registers });
  }
}
