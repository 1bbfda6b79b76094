import { Body, Controller, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { z } from 'zod';
import type { TokenRevocations } from '#platform';
import { AuditRecorder } from '../audit/audit-recorder.js';
import { RequirePermission } from '../auth/auth.decorators.js';
import { principalOf } from '../auth/principal-of.js';
import { requestIdsOf } from '../http/request-ids.js';
import { parseOr400 } from '../http/zod-body.js';
import { TOKEN_REVOCATIONS } from '../tokens.js';
import { DocRevokeTokens } from './admin.docs.js';

const userIdSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^\s/?#]+$/, 'must be a token subject (no spaces, /, ? or #)');
const revokeBodySchema = z.object({ reason: z.string().trim().min(1).max(500).optional() }).strict();

/** Operator actions. Each is an audit record (`admin.*`, high severity) as well as its effect. */
@Controller('api/v1/admin')
export class AdminController {
  constructor(
    @Inject(TOKEN_REVOCATIONS) private readonly revocations: TokenRevocations,
    private readonly audit: AuditRecorder,
  ) {}

  /**
   * Every token the user holds now stops working: requests answer 401 TOKEN_REVOKED, their
   * open WebSocket and Socket.IO connections close with 1008 and their SSE streams end with
   * an error event, on every api process.
   */
  @Post('users/:userId/revoke-tokens')
  @HttpCode(200)
  @RequirePermission('admin:revoke_tokens')
  @DocRevokeTokens()
  async revokeTokens(@Param('userId') rawUserId: string, @Body() body: unknown, @Req() req: Request) {
    const userId = parseOr400(userIdSchema, rawUserId, 'userId');
    const { reason } = parseOr400(revokeBodySchema, body ?? {});
    const admin = principalOf(req).id;
    const revoked = await this.revocations.revoke({
      userId,
      revokedBy: admin,
      reason: reason ?? null,
      correlationId: requestIdsOf(req).correlationId,
    });
    await this.audit.record(req, {
      eventType: 'admin.tokens_revoked',
      severity: 'high',
      success: true,
      userId: admin,
      resourceType: 'user',
      resourceId: userId,
      message: `tokens of ${userId} issued up to ${revoked.revokedBefore} revoked${reason ? `: ${reason}` : ''}`,
    });
    return { user_id: userId, revoked_before: revoked.revokedBefore, revoked_by: admin, reason: revoked.reason };
  }
}
