import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from '#platform';
import { sendError } from '../http/api-exception.filter.js';
import { LOGGER } from '../tokens.js';
import { MultiplexedStreams, type ConnectionState } from './multiplexed-streams.js';
import { DocChangeMultiplexedStream, DocMultiplexedStream } from './streams.docs.js';

/**
 * Several streams on one SSE connection, for browsers that hold six connections per origin
 * on HTTP/1.1. Every caller may open one; each stream is authorised as on its own endpoint.
 */
@Controller('api/v1/streams')
export class StreamsController {
  constructor(
    private readonly streams: MultiplexedStreams,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get()
  @DocMultiplexedStream()
  async stream(
    @Query('subscribe') subscribe: unknown,
    @Query('last_event_id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    try {
      await this.streams.open(req, res, subscribe, lastEventId);
    } catch (error) {
      sendError(res, error, this.logger, req);
    }
  }

  @Post(':connectionId')
  @HttpCode(200)
  @DocChangeMultiplexedStream()
  change(@Param('connectionId') id: string, @Body() body: unknown, @Req() req: Request): Promise<ConnectionState> {
    return this.streams.change(id, body, req);
  }
}
