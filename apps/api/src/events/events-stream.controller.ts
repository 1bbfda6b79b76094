import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { filter, map } from 'rxjs';
import { matchesFeedFilter, parseNameList, toCloudEvent, type EventFeedFilter } from '#audit';
import { whenWritable, withStreamLimits, writeSse, type LiveFeed, type Runtime, type StreamSlots } from '#platform';
import { RequirePermission } from '../auth/auth.decorators.js';
import { DocEventsStream } from '../audit/audit.docs.js';
import { ApiError } from '../http/api-error.js';
import { sendError } from '../http/api-exception.filter.js';
import { resumeRevision } from '../investigations/investigation-stream.controller.js';
import { LIVE_FEED, RUNTIME, STREAM_SLOTS } from '../tokens.js';
import { allEventsAfter } from './all-events-feed.js';

const ENDPOINT = '/events/stream';

function nameList(raw: string | undefined, parameter: string): ReadonlySet<string> {
  const parsed = parseNameList(raw);
  if ('invalid' in parsed) throw new ApiError(400, 'VALIDATION_ERROR', `invalid ${parameter}: "${parsed.invalid}" is not a name`);
  return parsed.names;
}

/**
 * The downstream feed over HTTP: every domain event as CloudEvents JSON, SSE id = global
 * position, resumable with Last-Event-ID. Reading every stream is an auditor's right.
 */
@Controller('api/v1/events')
export class EventsStreamController {
  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(LIVE_FEED) private readonly feed: LiveFeed,
    @Inject(STREAM_SLOTS) private readonly slots: StreamSlots,
  ) {}

  @Get('stream')
  @DocEventsStream()
  @RequirePermission('audit:export')
  stream(@Query('category') category: string | undefined, @Query('type') type: string | undefined, @Query('last_event_id') lastEventId: string | undefined, @Req() req: Request, @Res() res: Response): void {
    const { settings, metrics, logger } = this.runtime;
    try {
      if (!settings.ENABLE_SSE_STREAMING) throw new ApiError(503, 'SSE_DISABLED', 'SSE streaming is disabled on this server', undefined, 60);
      const wanted: EventFeedFilter = { categories: nameList(category, 'category'), types: nameList(type, 'type') };
      const after = resumeRevision(req, lastEventId);
      const release = this.slots.tryAcquire();
      if (!release) throw new ApiError(503, 'TOO_MANY_STREAMS', `this server already serves ${this.slots.capacity} streams; retry shortly`, undefined, 5);
      const events$ = allEventsAfter(this.runtime.store, this.feed, after, { whenReady: () => whenWritable(res) }).pipe(
        filter((event) => matchesFeedFilter(event, wanted)),
        map((event) => ({ id: event.position, data: toCloudEvent(event) })),
      );
      writeSse(res, events$.pipe(withStreamLimits({ idleSeconds: 0, maxSeconds: settings.STREAM_MAX_DURATION })), {
        retryMs: settings.SSE_RETRY_MS,
        keepaliveSeconds: settings.SSE_KEEPALIVE_INTERVAL,
        maxBufferedBytes: settings.SSE_BUFFER_SIZE,
        onSent: () => metrics.sseEventsSent.inc({ endpoint: ENDPOINT }),
        onOverflow: () => metrics.streamingErrors.inc({ type: 'sse', endpoint: ENDPOINT }),
        onClose: release,
        errorMessage: (error) => {
          metrics.streamingErrors.inc({ type: 'sse', endpoint: ENDPOINT });
          logger.error({ err: error }, 'event feed failed');
          return { data: { type: 'error', error_code: 'STREAM_FAILED', message: 'the feed was interrupted; reconnect with Last-Event-ID to resume', fallback_endpoint: '/api/v1/events/stream', retry_after: 5 } };
        },
      });
    } catch (error) {
      sendError(res, error, logger, req);
    }
  }
}
