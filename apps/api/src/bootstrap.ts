import 'reflect-metadata';
import { NestFactory, Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuthenticator, TokenRevocations, trustFunction, type Runtime } from '#platform';
import { projectionLags, runProjectors } from '#workers';
import { LiveFeed } from '#eventsourcing';
import { AppModule } from './app.module.js';
import { setupApiDocs } from './docs/api-docs.js';
import { ApiExceptionFilter, sendError } from './http/api-exception.filter.js';
import { budgetedBodyParser } from './http/body-budget.js';
import { capConnectionsPerAddress } from './limits/connection-cap.js';
import { RateLimiter } from './limits/rate-limiter.js';
import { answerClientErrors, refuseWithoutHost } from './http/client-errors.js';
import { StreamingExpressAdapter } from './http/express-server.js';
import { edgeMiddleware, measureProjectionLag } from './http/observability.js';
import { Http2ExpressAdapter, http2Prototypes } from './http/http2-server.js';
import { StreamFastPath, type FastPathDependencies } from './http/stream-fast-path.js';
import { STREAM_ROUTES } from './http/stream-routes.js';
import { Access } from './auth/access.js';
import { drainApi } from './lifecycle/api-drain.js';
import { HttpDrain } from './lifecycle/http-drain.js';
import { ShutdownRegistry } from './lifecycle/shutdown-registry.js';
import { installWeb } from './web/web.js';
import { SocketIoAdapter } from './websocket/socketio/socketio.adapter.js';

export interface ApiServer {
  readonly app: NestExpressApplication;
  readonly feed: LiveFeed;
  readonly port: number;
  readonly url: string;
  /** Graceful stop: no new connections, SSE streams ended, WebSockets closed (1012), in-flight requests finished. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** Builds and starts the HTTP API on the given runtime; port 0 picks a free port. */
export interface StartApiOptions {
  /** The built dashboard to serve at `/`; dist/web by default. */
  readonly webDir?: string;
}

export async function startApi(
  runtime: Runtime,
  port: number,
  host = '0.0.0.0',
  options: StartApiOptions = {},
): Promise<ApiServer> {
  const revocations = await TokenRevocations.open(runtime.store);
  const authenticator = createAuthenticator(runtime.settings, runtime.logger.child({ component: 'auth' }), revocations);
  const feed = new LiveFeed(runtime.store);
  const module = AppModule.register(runtime, feed, authenticator, revocations);
  const nestOptions = { bodyParser: false, logger: false } as const;
  const { tls } = runtime.settings.http;
  const app = await NestFactory.create<NestExpressApplication>(
    module,
    tls ? new Http2ExpressAdapter(tls) : new StreamingExpressAdapter(),
    nestOptions,
  );
  const http = new HttpDrain(app.getHttpServer());
  answerClientErrors(app.getHttpServer());
  capConnectionsPerAddress(app.getHttpServer(), runtime.settings.http, runtime.metrics, runtime.logger);
  const { http: httpSettings, websocket } = runtime.settings;
  const edge = edgeMiddleware(runtime);
  for (const middleware of edge) app.use(middleware);
  app.useWebSocketAdapter(
    new SocketIoAdapter(app, {
      http: httpSettings,
      websocket,
      logger: runtime.logger,
      metrics: runtime.metrics,
      limiter: app.get(RateLimiter),
    }),
  );
  // req.ip agrees with clientIp() (audit records, limits): the same TRUST_PROXY decides both.
  app.set('trust proxy', trustFunction(httpSettings.trustProxy));
  // What serves the API is nobody's business but ours (and a scanner's first question).
  app.disable('x-powered-by');
  const bodyParser = budgetedBodyParser(
    express.json({ limit: httpSettings.maxBodyBytes, strict: false }),
    httpSettings,
    runtime.metrics,
  );
  app.use(bodyParser);
  app.use((error: unknown, req: Request, res: Response, next: NextFunction) =>
    error ? sendError(res, error, runtime.logger, req) : next(),
  );
  app.useGlobalFilters(new ApiExceptionFilter(runtime.logger));
  serveStreamsFirst(app, { edge, bodyParser }, runtime);
  setupApiDocs(app);
  installWeb(app, runtime, options.webDir);
  // Signals belong to main.ts (graceful shutdown); Nest's own hooks would re-raise them and race it.
  await feed.start();
  // Embedded, this process keeps the read models; distributed, the workers do and this one reads them.
  const projectors = runtime.settings.process.embedded ? runProjectors(runtime) : null;
  const stopLag = measureProjectionLag(runtime, feed);
  const stopReadModelLag = runtime.metrics.measureReadModelLag(() => projectionLags(runtime));
  await app.listen(port, host);
  const drain = () =>
    drainApi({
      http,
      feed,
      registry: app.get(ShutdownRegistry),
      logger: runtime.logger,
      deadlineMs: runtime.settings.process.shutdownTimeoutMs,
    });
  const address = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    feed,
    port: address.port,
    url: `${runtime.settings.http.tls ? 'https' : 'http'}://127.0.0.1:${address.port}`,
    drain,
    close: async () => {
      await drain();
      stopLag();
      stopReadModelLag();
      await projectors?.stop();
      await app.close();
      revocations.close();
    },
  };
}

/**
 * The stream routes are answered by StreamFastPath before Express sees them; every
 * other request goes to Express as before. Installed in place of Express's own listener, so
 * the listeners before it (HttpDrain's) and the ones that wrap it later (Socket.IO's) keep
 * their places.
 */
function serveStreamsFirst(
  app: NestExpressApplication,
  { edge, bodyParser }: Pick<FastPathDependencies, 'edge' | 'bodyParser'>,
  runtime: Runtime,
): void {
  const server = app.getHttpServer();
  const expressApp = app.getHttpAdapter().getInstance() as Express;
  const fastPath = new StreamFastPath(STREAM_ROUTES, {
    express: expressApp,
    edge,
    bodyParser,
    access: app.get(Access),
    reflector: app.get(Reflector),
    logger: runtime.logger,
    instanceOf: (controller) => app.get(controller),
  });
  server.removeListener('request', expressApp);
  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    if (!refuseWithoutHost(req, res) && !fastPath.handle(req, res)) expressApp(req, res);
  };
  if (!runtime.settings.http.tls) {
    server.on('request', serve);
    return;
  }
  // HTTPS: HTTP/2 requests get Express's methods on Node's HTTP/2 request and response.
  const withPrototypes = http2Prototypes(expressApp);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => withPrototypes(req, () => serve(req, res)));
}
