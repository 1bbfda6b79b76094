import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { AddressInfo } from 'node:net';
import { LiveFeed, type Runtime } from '#platform';
import { AppModule } from './app.module.js';
import { ApiExceptionFilter, sendError } from './http/api-exception.filter.js';

export interface ApiServer {
  readonly app: NestExpressApplication;
  readonly feed: LiveFeed;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/** Builds and starts the HTTP API on the given runtime; port 0 picks a free port. */
export async function startApi(runtime: Runtime, port: number, host = '0.0.0.0'): Promise<ApiServer> {
  const feed = new LiveFeed(runtime.store);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(runtime, feed), { bodyParser: false, logger: false });
  app.use(express.json({ limit: '1mb', strict: false }));
  app.use((error: unknown, req: Request, res: Response, next: NextFunction) => (error ? sendError(res, error, runtime.logger, req) : next()));
  app.useGlobalFilters(new ApiExceptionFilter(runtime.logger));
  app.enableShutdownHooks();
  await app.listen(port, host);
  const address = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    feed,
    port: address.port,
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      feed.close();
      await app.close();
    },
  };
}
