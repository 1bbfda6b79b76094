import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { matchesFeedFilter, parseNameList, type EventFeedFilter } from '#audit';
import type { Logger, StreamingSettings } from '#platform';
import type { HubControl, StreamHubs } from '#eventsourcing';
import { RequirePermission } from '../auth/auth.decorators.js';
import { DocEventsStream } from '../audit/audit.docs.js';
import { ApiError } from '../http/api-error.js';
import { sendError } from '../http/api-exception.filter.js';
import { resumeRevision } from '../investigations/investigation-stream.controller.js';
import { SseEndpoints } from '../http/sse-endpoints.js';
import { FEED_HUB_ID } from '../streaming/stream-hubs.providers.js';
import type { WireFrame } from '../streaming/wire-frame.js';
import { FEED_HUBS, LOGGER, SETTINGS } from '../tokens.js';

const ENDPOINT = '/events/stream';

function nameList(raw: string | undefined, parameter: string): ReadonlySet<string> {
  const parsed = parseNameList(raw);
  if ('invalid' in parsed)
    throw new ApiError(400, 'VALIDATION_ERROR', `invalid ${parameter}: "${parsed.invalid}" is not a name`);
  return parsed.names;
}

/**
 * The downstream feed over HTTP: every domain event as CloudEvents JSON, SSE id = global
 * position, resumable with Last-Event-ID. Reading every stream is an auditor's right.
 */
@Controller('api/v1/events')
export class EventsStreamController {
  constructor(
    @Inject(SETTINGS.streaming) private readonly streaming: StreamingSettings,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(FEED_HUBS) private readonly hubs: StreamHubs<WireFrame>,
    private readonly sse: SseEndpoints,
  ) {}

  @Get('stream')
  @DocEventsStream()
  @RequirePermission('audit:export')
  stream(
    @Query('category') category: string | undefined,
    @Query('type') type: string | undefined,
    @Query('last_event_id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): void {
    try {
      this.sse.assertEnabled();
      const wanted: EventFeedFilter = { categories: nameList(category, 'category'), types: nameList(type, 'type') };
      const after = resumeRevision(req, lastEventId);
      const everything = wanted.categories.size === 0 && wanted.types.size === 0;
      const control: HubControl<WireFrame> = ({ event }) => (matchesFeedFilter(event, wanted) ? 'deliver' : 'skip');
      const release = this.sse.admit(req, ENDPOINT);
      const limits = { idleSeconds: 0, maxSeconds: this.streaming.maxSeconds };
      this.sse.follow(
        res,
        this.hubs,
        { streamId: FEED_HUB_ID, after, ...(everything ? {} : { control }) },
        { endpoint: ENDPOINT, release, limits, fallbackEndpoint: '/api/v1/events/stream' },
      );
    } catch (error) {
      sendError(res, error, this.logger, req);
    }
  }
}
