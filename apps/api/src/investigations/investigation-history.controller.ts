import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { MAX_REPLAY_SPEED } from '#audit';
import { writeSse, type RecordedEvent, type Runtime } from '#platform';
import { RequirePermission } from '../auth/auth.decorators.js';
import { principalOf } from '../auth/principal-of.js';
import { DocInvestigationHistory, DocInvestigationReplay } from '../audit/audit.docs.js';
import { ApiError } from '../http/api-error.js';
import { sendError } from '../http/api-exception.filter.js';
import { parseOr400 } from '../http/zod-body.js';
import { RUNTIME } from '../tokens.js';
import { investigationHistory, replayInvestigation, toHistoryItem } from './investigation-history.js';
import { InvestigationsService } from './investigations.service.js';
import { investigationIdSchema } from './start-investigation.dto.js';

const formatSchema = z.enum(['json', 'ndjson'], { message: 'must be json or ndjson' }).default('json');
const speedSchema = z.coerce
  .number({ message: 'must be a number' })
  .refine((speed) => speed > 0 && speed <= MAX_REPLAY_SPEED, `must be greater than 0 and at most ${MAX_REPLAY_SPEED}`)
  .default(1);

/** For auditors: an investigation's stored events, as data or re-lived over SSE. Same 404 rule as GET /investigations/{id}. */
@Controller('api/v1/investigations')
export class InvestigationHistoryController {
  constructor(
    private readonly investigations: InvestigationsService,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  @Get(':id/events')
  @DocInvestigationHistory()
  @RequirePermission('investigation:watch')
  async events(@Param('id') id: string, @Query('format') format: string | undefined, @Req() req: Request, @Res() res: Response): Promise<void> {
    try {
      const investigationId = await this.visible(id, req);
      const chosen = parseOr400(formatSchema, format, 'format');
      const history = investigationHistory(this.runtime.store, investigationId);
      if (chosen === 'json') {
        const events: ReturnType<typeof toHistoryItem>[] = [];
        for await (const event of history) events.push(toHistoryItem(event));
        res.status(200).json({ investigation_id: investigationId, events });
        return;
      }
      res.status(200).setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
      for await (const event of history) {
        if (res.destroyed) return;
        if (!res.write(`${JSON.stringify(toHistoryItem(event))}\n`)) await new Promise((resolve) => res.once('drain', resolve));
      }
      res.end();
    } catch (error) {
      sendError(res, error, this.runtime.logger, req);
    }
  }

  @Get(':id/replay')
  @DocInvestigationReplay()
  @RequirePermission('investigation:watch')
  async replay(@Param('id') id: string, @Query('speed') speed: string | undefined, @Req() req: Request, @Res() res: Response): Promise<void> {
    const { settings, logger } = this.runtime;
    try {
      if (!settings.ENABLE_SSE_STREAMING) throw new ApiError(503, 'SSE_DISABLED', 'SSE streaming is disabled on this server', undefined, 60);
      const rate = parseOr400(speedSchema, speed === '' ? undefined : speed, 'speed');
      const investigationId = await this.visible(id, req);
      const events: RecordedEvent[] = [];
      for await (const event of investigationHistory(this.runtime.store, investigationId)) events.push(event);
      writeSse(res, replayInvestigation(events, rate), {
        retryMs: settings.SSE_RETRY_MS,
        keepaliveSeconds: settings.SSE_KEEPALIVE_INTERVAL,
        maxBufferedBytes: settings.SSE_BUFFER_SIZE,
      });
    } catch (error) {
      sendError(res, error, logger, req);
    }
  }

  private async visible(id: string, req: Request): Promise<string> {
    const investigationId = parseOr400(investigationIdSchema, id, 'investigation id');
    await this.investigations.get(investigationId, principalOf(req));
    return investigationId;
  }
}
