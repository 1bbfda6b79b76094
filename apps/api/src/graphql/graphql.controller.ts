import { Body, Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { RequirePermission } from '../auth/auth.decorators.js';
import { principalOf } from '../auth/principal-of.js';
import { GraphqlEndpoint, type GraphqlReply } from './graphql-endpoint.js';
import { DocGraphqlGet, DocGraphqlPost } from './graphql.docs.js';

/** `variables` of a GET request: JSON text; anything else is left for the request check to refuse. */
function fromUrl(query: Record<string, unknown>): unknown {
  const { variables } = query;
  if (typeof variables !== 'string' || variables === '') return query;
  try {
    return { ...query, variables: JSON.parse(variables) as unknown };
  } catch {
    return { ...query, variables: 'not JSON' };
  }
}

/** GraphQL over HTTP at /graphql: the guards, roles and rate limits of every other route. */
@Controller('graphql')
export class GraphqlController {
  constructor(private readonly endpoint: GraphqlEndpoint) {}

  @Post()
  @HttpCode(200)
  @RequirePermission('investigation:watch')
  @DocGraphqlPost()
  async post(@Body() body: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    send(res, await this.endpoint.run(body ?? {}, principalOf(req), 'POST'));
  }

  @Get()
  @RequirePermission('investigation:watch')
  @DocGraphqlGet()
  async get(@Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response): Promise<void> {
    send(res, await this.endpoint.run(fromUrl(query), principalOf(req), 'GET'));
  }
}

function send(res: Response, reply: GraphqlReply): void {
  res.status(reply.status).json(reply.body);
}
