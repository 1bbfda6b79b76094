import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { schemaRef } from '../docs/api.schemas.js';

export const DocCurrentCaller = () =>
  applyDecorators(
    ApiTags('auth'),
    ApiBearerAuth(),
    ApiOperation({
      summary: 'Who the server takes the caller for: user, roles and permissions',
      description:
        'Roles are read from the token as every other route reads them (JWT_ROLES_CLAIM, JWT_ROLE_MAP). Without a token on an embedded server that does not require one, the local anonymous analyst.',
    }),
    ApiResponse({ status: 200, description: 'The caller.', schema: schemaRef('CurrentCaller') }),
    ...[401, 503].map((status) =>
      ApiResponse({ status, description: 'Error; see docs/events.md.', schema: schemaRef('Error') }),
    ),
  );
