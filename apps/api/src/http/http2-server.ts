import { readFileSync } from 'node:fs';
import { createSecureServer, Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { IncomingMessage } from 'node:http';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Express } from 'express';
import type { HttpSettings } from '#platform';
import { HOST_CHECKED_HERE } from './client-errors.js';

type TlsFiles = NonNullable<HttpSettings['tls']>;

/**
 * Express with an HTTPS server that speaks HTTP/2 and, on the same port, HTTP/1.1
 * (`allowHTTP1`): browsers multiplex their SSE streams on one connection, and WebSocket
 * and Socket.IO upgrades, which HTTP/2 has not, come over HTTP/1.1 as before.
 */
export class Http2ExpressAdapter extends ExpressAdapter {
  constructor(private readonly tls: TlsFiles) {
    super();
  }

  override initHttpServer(): void {
    const { certFile, keyFile } = this.tls;
    try {
      const server = createSecureServer({
        cert: readFileSync(certFile),
        key: readFileSync(keyFile),
        allowHTTP1: true,
        ...HOST_CHECKED_HERE,
      });
      // The field is typed as Node's HTTP/1 server; what the API calls on it (listen, close, its
      // events) an HTTP/2 server has too, and HttpDrain closes its sessions itself.
      Object.assign(this, { httpServer: server });
    } catch (error) {
      throw new Error(`TLS_CERT and TLS_KEY cannot serve HTTPS: ${(error as Error).message}`, { cause: error });
    }
  }
}

/**
 * Express's request and response objects are Node's HTTP/1 ones with its methods on top;
 * for an HTTP/2 request the same methods go on top of Node's HTTP/2 compatibility objects.
 * `serve` runs with those in place (Express and the stream fast path set a request's
 * prototypes synchronously as they start), HTTP/1.1 requests with Express's own.
 */
export function http2Prototypes(
  express: Express,
): (req: IncomingMessage | Http2ServerRequest, serve: () => void) => void {
  const http1 = { request: express.request, response: express.response };
  const http2 = {
    request: rebase(express.request, Http2ServerRequest.prototype),
    response: rebase(express.response, Http2ServerResponse.prototype),
  };
  return (req, serve) => {
    if (!(req instanceof Http2ServerRequest)) return serve();
    Object.assign(express, http2);
    try {
      serve();
    } finally {
      Object.assign(express, http1);
    }
  };
}

/** `appProto` (the app's object on Express's, on Node's HTTP/1 one) with Node's `base` in place of the HTTP/1 one. */
function rebase<T extends object>(appProto: T, base: object): T {
  const expressProto = Object.getPrototypeOf(appProto) as object;
  const middle = Object.create(base, Object.getOwnPropertyDescriptors(expressProto)) as object;
  return Object.create(middle, Object.getOwnPropertyDescriptors(appProto)) as T;
}
