import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { AuditRecord } from '#audit';
import type { Runtime } from '#platform';
import { RequirePermission } from '../auth/auth.decorators.js';
import { principalOf } from '../auth/principal-of.js';
import { DocAuditExport, DocAuditVerify } from './audit.docs.js';
import { sendError } from '../http/api-exception.filter.js';
import { RUNTIME } from '../tokens.js';
import { CONTENT_TYPES, pipeExport } from './audit-export.js';
import { AuditMetrics } from './audit-metrics.js';
import { parseExportQuery } from './audit-query.js';
import { AuditRecorder } from './audit-recorder.js';

const PAGE_SIZE = 5000;

@Controller('api/v1/audit')
export class AuditController {
  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly audit: AuditRecorder,
    private readonly metrics: AuditMetrics,
  ) {}

  /**
   * Walks the whole chain and its checkpoints; reports the first bad record. Writes nothing:
   * a record of the verification chained onto whatever tail it found would make a cut-off
   * log look continued. Who verified what goes to the process log instead.
   */
  @Get('verify')
  @DocAuditVerify()
  @RequirePermission('audit:verify')
  async verify(@Req() req: Request) {
    const verdict = await this.runtime.auditAnchor.verify(PAGE_SIZE);
    const broken = verdict.firstBroken;
    const checkpoint = verdict.latestCheckpoint;
    const log = { userId: principalOf(req).id, valid: verdict.valid, checked: verdict.checked, firstBroken: broken };
    if (verdict.valid) this.runtime.logger.info(log, 'audit chain verified');
    else this.runtime.logger.error(log, 'audit chain broken');
    return {
      valid: verdict.valid,
      records_checked: verdict.checked,
      first_broken: broken
        ? { seq: broken.seq, reason: broken.reason, expected: broken.expected, actual: broken.actual }
        : null,
      latest_checkpoint: checkpoint
        ? { seq: checkpoint.seq, hash: checkpoint.hash, at: checkpoint.at, key_id: checkpoint.keyId }
        : null,
      anchored_through: verdict.anchoredThrough,
    };
  }

  /** Streamed from the log page by page; memory does not depend on how many records match. */
  @Get('export')
  @DocAuditExport()
  @RequirePermission('audit:export')
  async export(@Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response): Promise<void> {
    const { logger } = this.runtime;
    let pages: AsyncGenerator<readonly AuditRecord[]> | null = null;
    try {
      const { filter, format } = parseExportQuery(query);
      await this.audit.record(req, {
        eventType: 'audit.exported',
        severity: 'medium',
        success: true,
        userId: principalOf(req).id,
        resourceType: 'audit_log',
        message: `export as ${format} of ${JSON.stringify(filter)}`,
      });
      pages = this.runtime.audit.read(filter, PAGE_SIZE);
      // Read before anything is sent: an unreachable log answers 503, not a 200 that breaks off.
      const first = await pages.next();
      const stamp = new Date().toISOString().replaceAll(':', '-');
      res.status(200);
      res.setHeader('Content-Type', CONTENT_TYPES[format]);
      res.setHeader('Content-Disposition', `attachment; filename="audit-${stamp}.${format}"`);
      res.setHeader('Cache-Control', 'no-store');
      const counted = this.counted(startingWith(first, pages), format);
      this.metrics.exportsActive.inc();
      pipeExport(counted, format, res, (error) => {
        this.metrics.exportsActive.dec();
        if (error && !res.destroyed) logger.error({ err: error }, 'audit export failed');
      });
    } catch (error) {
      await pages?.return(undefined);
      sendError(res, error, logger, req);
    }
  }

  private async *counted(
    pages: AsyncIterable<readonly AuditRecord[]>,
    format: string,
  ): AsyncGenerator<readonly AuditRecord[]> {
    const counter = this.metrics.exportRows.labels({ format });
    for await (const page of pages) {
      counter.inc(page.length);
      yield page;
    }
  }
}

/** A generator's first result, already taken, then the rest of it. */
async function* startingWith<T>(first: IteratorResult<T>, rest: AsyncGenerator<T>): AsyncGenerator<T> {
  if (first.done) return;
  yield first.value;
  yield* rest;
}
