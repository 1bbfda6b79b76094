import { applyDecorators, Controller, Get, Req } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../auth/auth.decorators.js';
import { ASYNCAPI_PATH, buildAsyncApiDocument } from './asyncapi.js';

const DocAsyncApi = () =>
  applyDecorators(
    ApiTags('docs'),
    ApiOperation({ summary: 'AsyncAPI 3.0 document of every stream (SSE, WebSocket, Socket.IO, JetStream)' }),
    ApiResponse({
      status: 200,
      description: 'The document.',
      content: { 'application/json': { schema: { type: 'object' } } },
    }),
  );

/** The streams' contract, beside the OpenAPI one; documentation is open to all, like /api/docs. */
@Public()
@Controller()
export class AsyncApiController {
  @Get(ASYNCAPI_PATH)
  @DocAsyncApi()
  document(@Req() req: Request): Record<string, unknown> {
    return buildAsyncApiDocument(req.headers.host);
  }
}
