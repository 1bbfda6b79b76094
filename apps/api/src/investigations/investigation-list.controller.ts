import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Runtime } from '#platform';
import { RequirePermission } from '../auth/auth.decorators.js';
import { principalOf } from '../auth/principal-of.js';
import { DocInvestigationChanges, DocListInvestigations } from '../docs/investigation-list.docs.js';
import { sendError } from '../http/api-exception.filter.js';
import { SseEndpoints } from '../http/sse-endpoints.js';
import { parseQueryOr400 } from '../http/zod-body.js';
import { RUNTIME } from '../tokens.js';
import { investigationChangesSchema, listInvestigationsSchema } from './investigation-list.dto.js';
import { InvestigationList, type InvestigationPage } from './investigation-list.js';
import { resumeRevision } from './investigation-stream.controller.js';

const ENDPOINT = '/investigations/list-stream';

/** The investigations a dashboard lists, a page at a time, and the live changes to that list. */
@Controller('api/v1/investigations')
export class InvestigationListController {
  constructor(
    private readonly list: InvestigationList,
    private readonly sse: SseEndpoints,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  @Get()
  @RequirePermission('investigation:watch')
  @DocListInvestigations()
  async page(@Query() query: unknown, @Req() req: Request): Promise<InvestigationPage> {
    return this.list.page(parseQueryOr400(listInvestigationsSchema, query), principalOf(req));
  }

  @Get('stream')
  @RequirePermission('investigation:watch')
  @DocInvestigationChanges()
  async stream(@Query() query: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    try {
      this.sse.assertEnabled();
      const { owner, last_event_id: lastEventId } = parseQueryOr400(investigationChangesSchema, query);
      const resumed = req.header('last-event-id') !== undefined || lastEventId !== undefined;
      const after = resumed ? resumeRevision(req, lastEventId) : null;
      const changes$ = await this.list.changes(principalOf(req), after, owner);
      const release = this.sse.admit(req, ENDPOINT);
      this.sse.write(res, changes$, { endpoint: ENDPOINT, release, fallbackEndpoint: '/api/v1/investigations' });
    } catch (error) {
      sendError(res, error, this.runtime.logger, req);
    }
  }
}
