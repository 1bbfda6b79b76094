import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import type { Webhook, WebhookDelivery } from '#audit';
import { AuditRecorder } from '../audit/audit-recorder.js';
import { RequirePermission } from '../auth/auth.decorators.js';
import { principalOf } from '../auth/principal-of.js';
import { requestIdsOf } from '../http/request-ids.js';
import { parseOr400, parseQueryOr400 } from '../http/zod-body.js';
import { deliveriesQuerySchema, registerWebhookSchema, replaySchema, webhookIdSchema } from './webhook-bodies.js';
import { WebhookRegistrations } from './webhook-registrations.js';
import {
  DocDeleteWebhook,
  DocGetWebhook,
  DocListWebhooks,
  DocRegisterWebhook,
  DocReplayWebhook,
  DocWebhookDeliveries,
} from './webhooks.docs.js';

const view = (webhook: Webhook) => ({
  id: webhook.webhookId,
  url: webhook.url,
  events: webhook.events,
  streams: webhook.streams,
  mode: webhook.mode,
  created_at: webhook.registeredAt,
  created_by: webhook.registeredBy,
  position: webhook.position,
});

const deliveryView = (delivery: WebhookDelivery) => ({
  event_id: delivery.eventId,
  position: delivery.position,
  stream_id: delivery.streamId,
  revision: delivery.revision,
  type: delivery.type,
  status: delivery.state,
  attempts: delivery.attempts,
  status_codes: delivery.statusCodes,
  last_error: delivery.lastError,
  enqueued_at: delivery.enqueuedAt,
  first_attempt_at: delivery.firstAttemptAt,
  next_attempt_at: delivery.nextAttemptAt,
  delivered_at: delivery.deliveredAt,
});

/** Webhooks: registered by admins, each matching event POSTed as a signed CloudEvent (docs/webhooks.md). */
@Controller('api/v1/webhooks')
@RequirePermission('admin:webhooks')
export class WebhooksController {
  constructor(
    private readonly registrations: WebhookRegistrations,
    private readonly audit: AuditRecorder,
  ) {}

  @Post()
  @HttpCode(201)
  @DocRegisterWebhook()
  async register(@Body() body: unknown, @Req() req: Request) {
    const registration = parseOr400(registerWebhookSchema, body ?? {});
    const actor = this.actorOf(req);
    const { webhook, secret } = await this.registrations.register(registration, actor);
    await this.record(req, 'admin.webhook_registered', webhook.webhookId, `webhook to ${webhook.url} registered`);
    return { ...view(webhook), secret };
  }

  @Get()
  @DocListWebhooks()
  async list() {
    return { webhooks: (await this.registrations.list()).map(view) };
  }

  @Get(':id')
  @DocGetWebhook()
  async get(@Param('id') rawId: string) {
    return view(await this.registrations.get(parseOr400(webhookIdSchema, rawId, 'id')));
  }

  @Delete(':id')
  @HttpCode(200)
  @DocDeleteWebhook()
  async delete(@Param('id') rawId: string, @Req() req: Request) {
    const id = parseOr400(webhookIdSchema, rawId, 'id');
    const actor = this.actorOf(req);
    await this.registrations.delete(id, actor);
    await this.record(req, 'admin.webhook_deleted', id, `webhook ${id} deleted`);
    return { id, deleted_by: actor.userId };
  }

  @Get(':id/deliveries')
  @DocWebhookDeliveries()
  async deliveries(@Param('id') rawId: string, @Query() query: unknown) {
    const id = parseOr400(webhookIdSchema, rawId, 'id');
    const { limit, status, before } = parseQueryOr400(deliveriesQuerySchema, query);
    const page = { limit, ...(status ? { state: status } : {}), ...(before ? { before } : {}) };
    const deliveries = await this.registrations.deliveries(id, page);
    return { webhook_id: id, deliveries: deliveries.map(deliveryView) };
  }

  @Post(':id/replay')
  @HttpCode(202)
  @DocReplayWebhook()
  async replay(@Param('id') rawId: string, @Body() body: unknown, @Req() req: Request) {
    const id = parseOr400(webhookIdSchema, rawId, 'id');
    const { from } = parseOr400(replaySchema, body ?? {});
    const position = await this.registrations.replay(id, from, this.actorOf(req));
    await this.record(req, 'admin.webhook_replayed', id, `webhook ${id} replayed from position ${position}`);
    return { webhook_id: id, from: position };
  }

  private actorOf(req: Request) {
    return { userId: principalOf(req).id, correlationId: requestIdsOf(req).correlationId };
  }

  private record(req: Request, eventType: `admin.${string}`, webhookId: string, message: string): Promise<void> {
    const userId = principalOf(req).id;
    return this.audit.record(req, {
      eventType,
      severity: 'high',
      success: true,
      userId,
      resourceType: 'webhook',
      resourceId: webhookId,
      message,
    });
  }
}
