import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { MAX_REPLAY_SPEED } from '#audit';
import type { Runtime } from '#platform';
import { RequirePermission } from '../auth/auth.decorators.js';
import { principalOf } from '../auth/principal-of.js';
import { DocInvestigationHistory, DocInvestigationReplay } from '../audit/audit.docs.js';
import { sendError } from '../http/api-exception.filter.js';
import { SseEndpoints } from '../http/sse-endpoints.js';
import { parseOr400, parseQueryOr400 } from '../http/zod-body.js';
import { RUNTIME } from '../tokens.js';
import { investigationHistory, replayInvestigation, writeHistory } from './investigation-history.js';
import { resumeRevision } from './investigation-stream.controller.js';
import { InvestigationsService } from './investigations.service.js';
import { investigationIdSchema } from './start-investigation.dto.js';

const ENDPOINT = '/investigations/replay';

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
    private readonly sse: SseEndpoints,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  @Get(':id/events')
  @DocInvestigationHistory()
  @RequirePermission('investigation:watch')
  async events(
    @Param('id') id: string,
    @Query('format') format: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    try {
      const investigationId = await this.visible(id, req);
      const chosen = parseQueryOr400(formatSchema, format, 'format');
      res.status(200);
      await writeHistory(res, investigationHistory(this.runtime.store, investigationId), chosen, investigationId);
    } catch (error) {
      if (res.headersSent) res.destroy(error instanceof Error ? error : undefined);
      else sendError(res, error, this.runtime.logger, req);
    }
  }

  @Get(':id/replay')
  @DocInvestigationReplay()
  @RequirePermission('investigation:watch')
  async replay(
    @Param('id') id: string,
    @Query('speed') speed: string | undefined,
    @Query('last_event_id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    try {
      this.sse.assertEnabled();
      const rate = parseQueryOr400(speedSchema, speed === '' ? undefined : speed, 'speed');
      const after = resumeRevision(req, lastEventId);
      const investigationId = await this.visible(id, req);
      const events$ = replayInvestigation(
        () => investigationHistory(this.runtime.store, investigationId, after),
        rate,
        this.sse.pacing(res),
      );
      const release = this.sse.admit(req, ENDPOINT);
      this.sse.write(res, events$, {
        endpoint: ENDPOINT,
        release,
        limits: false,
        fallbackEndpoint: `/api/v1/investigations/${investigationId}/events`,
      });
    } catch (error) {
      sendError(res, error, this.runtime.logger, req);
    }
  }

  private async visible(id: string, req: Request): Promise<string> {
    const investigationId = parseOr400(investigationIdSchema, id, 'investigation id');
    await this.investigations.get(investigationId, principalOf(req));
    return investigationId;
  }
}
