import http from 'node:http';
import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Express } from 'express';
import { HOST_CHECKED_HERE } from './client-errors.js';

/**
 * Nest's Express adapter with an HTTP server whose requests and responses are built on
 * Express's own prototypes. Express (and the stream fast path) would otherwise swap each
 * object's prototype as it arrives, and V8 gives every swapped object a hidden class of its
 * own: about 2 KB per request, kept as long as an event stream stays open. Built with the
 * right prototype, all of them share one. A server Nest must make itself (HTTPS, its own
 * connection tracking or 503 on closing) is left to Nest.
 */
export class StreamingExpressAdapter extends ExpressAdapter {
  override initHttpServer(options: NestApplicationOptions): void {
    if (options.httpsOptions || options.forceCloseConnections || options.return503OnClosing)
      return super.initHttpServer(options);
    const app = this.getInstance<Express>();
    this.setHttpServer(http.createServer({ ...expressMessages(app), ...HOST_CHECKED_HERE }, app));
  }
}

/** Request and response classes whose instances are born with `app`'s request and response prototypes. */
function expressMessages(app: Express): http.ServerOptions {
  class Request extends http.IncomingMessage {}
  class Response<R extends http.IncomingMessage = http.IncomingMessage> extends http.ServerResponse<R> {}
  Object.setPrototypeOf(Request.prototype, app.request);
  Object.setPrototypeOf(Response.prototype, app.response);
  return { IncomingMessage: Request, ServerResponse: Response };
}
