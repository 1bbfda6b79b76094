import { Body, Controller, Get, Headers, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import type { InvestigationSummary } from '#investigations';
import { AuditRecorder } from '../audit/audit-recorder.js';
import { RequirePermission } from '../auth/auth.decorators.js';
import {
  DocCancelInvestigation,
  DocGetInvestigation,
  DocPreviewInvestigation,
  DocStartInvestigation,
} from '../docs/api-docs.decorators.js';
import { principalOf } from '../auth/principal-of.js';
import { callerOf } from '../http/caller.js';
import { parseOr400 } from '../http/zod-body.js';
import { previewInvestigation, type InvestigationPreview } from './investigation-preview.js';
import { InvestigationsService } from './investigations.service.js';
import {
  cancelInvestigationSchema,
  idempotencyKeySchema,
  investigationIdSchema,
  startInvestigationSchema,
} from './start-investigation.dto.js';

const links = (id: string) => ({
  stream_url: `/api/v1/investigations/stream/${id}`,
  status_url: `/api/v1/investigations/${id}`,
  cancel_url: `/api/v1/investigations/${id}/cancel`,
});

@Controller('api/v1/investigations')
export class InvestigationsController {
  constructor(
    private readonly investigations: InvestigationsService,
    private readonly audit: AuditRecorder,
  ) {}

  @Post()
  @HttpCode(202)
  @RequirePermission('investigation:start')
  @DocStartInvestigation()
  async start(@Body() body: unknown, @Headers('idempotency-key') key: string | undefined, @Req() req: Request) {
    const input = parseOr400(startInvestigationSchema, body ?? {});
    const idempotencyKey =
      key === undefined ? undefined : parseOr400(idempotencyKeySchema, key, 'Idempotency-Key header');
    const caller = callerOf(req);
    const { summary, duplicate, commandId } = await this.investigations.start(input, caller, idempotencyKey);
    if (!duplicate) {
      await this.audit.record(req, {
        eventType: 'investigation.started',
        severity: 'low',
        success: true,
        userId: caller.userId,
        resourceType: 'investigation',
        resourceId: summary.investigation_id,
        message: `investigation started on ${input.data_source}`,
      });
    }
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

  /** What the start route would run with, for a form to show before the user starts: nothing is started or stored. */
  @Post('preview')
  @HttpCode(200)
  @RequirePermission('investigation:start')
  @DocPreviewInvestigation()
  preview(@Body() body: unknown): InvestigationPreview {
    return previewInvestigation(parseOr400(startInvestigationSchema, body ?? {}));
  }

  @Get(':id')
  @RequirePermission('investigation:watch')
  @DocGetInvestigation()
  async get(@Param('id') id: string, @Req() req: Request): Promise<InvestigationSummary> {
    return this.investigations.get(parseOr400(investigationIdSchema, id, 'investigation id'), principalOf(req));
  }

  @Post(':id/cancel')
  @HttpCode(202)
  @RequirePermission('investigation:cancel')
  @DocCancelInvestigation()
  async cancel(@Param('id') id: string, @Body() body: unknown, @Req() req: Request) {
    const investigationId = parseOr400(investigationIdSchema, id, 'investigation id');
    const { reason } = parseOr400(cancelInvestigationSchema, body ?? {});
    const caller = callerOf(req);
    await this.investigations.cancel(investigationId, caller, reason ?? 'cancelled by the user');
    await this.audit.record(req, {
      eventType: 'investigation.cancelled',
      severity: 'medium',
      success: true,
      userId: caller.userId,
      resourceType: 'investigation',
      resourceId: investigationId,
      message: reason ?? 'cancelled by the user',
    });
    return { investigation_id: investigationId, status: 'cancelling', ...links(investigationId) };
  }
}
