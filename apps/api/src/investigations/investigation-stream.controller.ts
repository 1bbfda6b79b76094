import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { withStreamLimits, writeSse, type Runtime, type StreamSlots } from '#platform';
import { RequirePermission } from '../auth/auth.decorators.js';
import { principalOf } from '../auth/principal-of.js';
import { DocInvestigationStream } from '../docs/api-docs.decorators.js';
import { ApiError } from '../http/api-error.js';
import { sendError } from '../http/api-exception.filter.js';
import { parseOr400 } from '../http/zod-body.js';
import { RUNTIME, STREAM_SLOTS } from '../tokens.js';
import { InvestigationsService } from './investigations.service.js';
import { investigationIdSchema, lastEventIdSchema } from './start-investigation.dto.js';

const ENDPOINT = '/investigations/stream';

/** Resume point: the Last-Event-ID header, or ?last_event_id= for clients that cannot set headers. */
export function resumeRevision(req: Request, queryValue: string | undefined): number {
  const header = req.header('last-event-id');
  const raw = header ?? queryValue;
  if (raw === undefined || raw === '') return 0;
  return parseOr400(lastEventIdSchema, raw, header === undefined ? 'last_event_id' : 'Last-Event-ID header');
}

@Controller('api/v1/investigations/stream')
export class InvestigationStreamController {
  constructor(
    private readonly investigations: InvestigationsService,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(STREAM_SLOTS) private readonly slots: StreamSlots,
  ) {}

  @Get(':id')
  @DocInvestigationStream()
  @RequirePermission('investigation:watch')
  async stream(@Param('id') id: string, @Query('last_event_id') lastEventId: string | undefined, @Req() req: Request, @Res() res: Response): Promise<void> {
    const { settings, metrics, logger } = this.runtime;
    try {
      if (!settings.ENABLE_SSE_STREAMING) throw new ApiError(503, 'SSE_DISABLED', 'SSE streaming is disabled on this server', undefined, 60);
      const investigationId = parseOr400(investigationIdSchema, id, 'investigation id');
      const events$ = await this.investigations.events(investigationId, resumeRevision(req, lastEventId), principalOf(req));
      const release = this.acquireSlot();
      metrics.sseStreamsActive.inc({ endpoint: ENDPOINT });
      const limits = { idleSeconds: settings.STREAM_IDLE_TIMEOUT, maxSeconds: settings.STREAM_MAX_DURATION };
      writeSse(res, events$.pipe(withStreamLimits(limits)), {
        retryMs: settings.SSE_RETRY_MS,
        keepaliveSeconds: settings.SSE_KEEPALIVE_INTERVAL,
        maxBufferedBytes: settings.SSE_BUFFER_SIZE,
        onSent: () => metrics.sseEventsSent.inc({ endpoint: ENDPOINT }),
        onOverflow: () => metrics.streamingErrors.inc({ type: 'sse', endpoint: ENDPOINT }),
        onClose: () => {
          release();
          metrics.sseStreamsActive.dec({ endpoint: ENDPOINT });
        },
        errorMessage: (error) => {
          metrics.streamingErrors.inc({ type: 'sse', endpoint: ENDPOINT });
          logger.error({ err: error, investigationId }, 'investigation stream failed');
          return {
            data: {
              type: 'error',
              error_code: 'STREAM_FAILED',
              message: 'the stream was interrupted; reconnect with Last-Event-ID to resume',
              fallback_endpoint: `/api/v1/investigations/${investigationId}`,
              retry_after: 5,
            },
          };
        },
      });
    } catch (error) {
      sendError(res, error, logger, req);
    }
  }

  /** One of MAX_CONCURRENT_STREAMS slots, or a 503 the client retries; a refusal counts as a streaming error. */
  private acquireSlot(): () => void {
    const release = this.slots.tryAcquire();
    if (release) return release;
    this.runtime.metrics.streamingErrors.inc({ type: 'sse', endpoint: ENDPOINT });
    throw new ApiError(503, 'TOO_MANY_STREAMS', `this server already serves ${this.slots.capacity} streams; retry shortly`, undefined, 5);
  }
}
