import { Body, Controller, Get, Headers, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import type { InvestigationSummary } from '#investigations';
import { callerOf } from '../http/caller.js';
import { parseOr400 } from '../http/zod-body.js';
import { InvestigationsService } from './investigations.service.js';
import { cancelInvestigationSchema, idempotencyKeySchema, investigationIdSchema, startInvestigationSchema } from './start-investigation.dto.js';

const links = (id: string) => ({
  stream_url: `/api/v1/investigations/stream/${id}`,
  status_url: `/api/v1/investigations/${id}`,
  cancel_url: `/api/v1/investigations/${id}/cancel`,
});

@Controller('api/v1/investigations')
export class InvestigationsController {
  constructor(private readonly investigations: InvestigationsService) {}

  @Post()
  @HttpCode(202)
  async start(@Body() body: unknown, @Headers('idempotency-key') key: string | undefined, @Req() req: Request) {
    const input = parseOr400(startInvestigationSchema, body ?? {});
    const idempotencyKey = key === undefined ? undefined : parseOr400(idempotencyKeySchema, key, 'Idempotency-Key header');
    const { summary, duplicate, commandId } = await this.investigations.start(input, callerOf(req), idempotencyKey);
    return {
      investigation_id: summary.investigation_id,
      status: summary.status,
      command_id: commandId,
      duplicate,
      query: input.query,
      data_source: input.data_source,
      ...links(summary.investigation_id),
    };
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<InvestigationSummary> {
    return this.investigations.get(parseOr400(investigationIdSchema, id, 'investigation id'));
  }

  @Post(':id/cancel')
  @HttpCode(202)
  async cancel(@Param('id') id: string, @Body() body: unknown, @Req() req: Request) {
    const investigationId = parseOr400(investigationIdSchema, id, 'investigation id');
    const { reason } = parseOr400(cancelInvestigationSchema, body ?? {});
    await this.investigations.cancel(investigationId, callerOf(req), reason ?? 'cancelled by the user');
    return { investigation_id: investigationId, status: 'cancelling', ...links(investigationId) };
  }
}
