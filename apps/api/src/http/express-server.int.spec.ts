import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { StreamingExpressAdapter } from './express-server.js';

const inChain = (prototype: object, value: object): boolean => Object.prototype.isPrototypeOf.call(prototype, value);

describe('StreamingExpressAdapter', () => {
  const adapter = new StreamingExpressAdapter();
  const app = adapter.getInstance<Express>();
  let server: Server;
  let url: string;
  const arrived: Array<{ req: boolean; res: boolean }> = [];

  beforeAll(async () => {
    app.get('/hello', (req, res) => {
      res.json({ path: req.path, host: req.get('host') !== undefined });
    });
    adapter.initHttpServer({});
    server = adapter.getHttpServer() as Server;
    // Ahead of Express, as the stream fast path is: the prototypes are there before Express sets them.
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) =>
      arrived.push({ req: inChain(app.request, req), res: inChain(app.response, res) }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("builds every request and response on Express's prototypes, and Express serves them as before", async () => {
    const response = await fetch(`${url}/hello?x=1`);
    expect(await response.json()).toEqual({ path: '/hello', host: true });
    expect(arrived).toEqual([{ req: true, res: true }]);
  });
});
