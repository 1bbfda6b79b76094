import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';

const error = { type: 'object', properties: { error_code: { type: 'string' }, message: { type: 'string' } } } as const;

export const DocRevokeTokens = () =>
  applyDecorators(
    ApiTags('admin'),
    ApiBearerAuth(),
    ApiOperation({
      summary: 'Revoke every token a user holds (admin)',
      description:
        'Tokens issued up to now answer 401 TOKEN_REVOKED; open WebSocket and Socket.IO connections of the user close with 1008, open SSE streams end with an error event. Recorded as admin.tokens_revoked.',
    }),
    ApiParam({ name: 'userId', description: 'The token subject (`sub`)' }),
    ApiBody({
      required: false,
      schema: {
        type: 'object',
        properties: { reason: { type: 'string', maxLength: 500 } },
        additionalProperties: false,
      },
    }),
    ApiResponse({
      status: 200,
      description: 'The revocation.',
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: {
              user_id: { type: 'string' },
              revoked_before: { type: 'string', format: 'date-time' },
              revoked_by: { type: 'string' },
              reason: { type: 'string', nullable: true },
            },
          },
        },
      },
    }),
    ...[400, 401, 403].map((status) =>
      ApiResponse({
        status,
        description: 'Error; see docs/events.md.',
        content: { 'application/json': { schema: error } },
      }),
    ),
  );
