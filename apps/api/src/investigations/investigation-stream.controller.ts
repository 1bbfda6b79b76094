import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { EMPTY } from 'rxjs';
import type { StreamHubs } from '#eventsourcing';
import type { Runtime } from '#platform';
import { RequirePermission } from '../auth/auth.decorators.js';
import { principalOf } from '../auth/principal-of.js';
import { DocInvestigationStream } from '../docs/api-docs.decorators.js';
import { sendError } from '../http/api-exception.filter.js';
import { SseEndpoints, type SseWriteOptions } from '../http/sse-endpoints.js';
import { parseOr400, parseQueryOr400 } from '../http/zod-body.js';
import type { WireFrame } from '../streaming/wire-frame.js';
import { INVESTIGATION_HUBS, RUNTIME } from '../tokens.js';
import { InvestigationsService } from './investigations.service.js';
import { investigationIdSchema, lastEventIdSchema } from './start-investigation.dto.js';

const ENDPOINT = '/investigations/stream';

/** Resume point: the Last-Event-ID header, or ?last_event_id= for clients that cannot set headers. */
export function resumeRevision(req: Request, queryValue: string | undefined): number {
  const header = req.header('last-event-id');
  const raw = header ?? queryValue;
  if (raw === undefined || raw === '') return 0;
  return header === undefined
    ? parseQueryOr400(lastEventIdSchema, raw, 'last_event_id')
    : parseOr400(lastEventIdSchema, raw, 'Last-Event-ID header');
}

/**
 * What an open investigation stream keeps of its options: its slot's release and the id.
 * The fallback endpoint and the log context are made from the id when a failure asks.
 */
class InvestigationStreamOptions implements SseWriteOptions {
  constructor(
    readonly release: () => void,
    private readonly investigationId: string,
  ) {}

  get endpoint(): string {
    return ENDPOINT;
  }

  get fallbackEndpoint(): string {
    return `/api/v1/investigations/${this.investigationId}`;
  }

  get logContext(): Record<string, unknown> {
    return { investigationId: this.investigationId };
  }
}

@Controller('api/v1/investigations/stream')
export class InvestigationStreamController {
  constructor(
    private readonly investigations: InvestigationsService,
    private readonly sse: SseEndpoints,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(INVESTIGATION_HUBS) private readonly hubs: StreamHubs<WireFrame>,
  ) {}

  @Get(':id')
  @DocInvestigationStream()
  @RequirePermission('investigation:watch')
  async stream(
    @Param('id') id: string,
    @Query('last_event_id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    try {
      this.sse.assertEnabled();
      const investigationId = parseOr400(investigationIdSchema, id, 'investigation id');
      const watch = await this.investigations.watch(
        investigationId,
        resumeRevision(req, lastEventId),
        principalOf(req),
      );
      const options = new InvestigationStreamOptions(this.sse.admit(req, ENDPOINT), investigationId);
      // A client that already has the end gets the opening and the end, as an empty stream.
      if (watch === null) this.sse.write(res, EMPTY, options);
      else this.sse.follow(res, this.hubs, watch, options);
    } catch (error) {
      sendError(res, error, this.runtime.logger, req);
    }
  }
}
