import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP proxy in front of the API that answers 503 for one path until told to pass it through. */
export interface FailingProxy {
  readonly url: string;
  /** How many requests for the path it answered 503. */
  failures(): number;
  /** From now on that path reaches the API too. */
  passThrough(): void;
  close(): Promise<void>;
}

export async function startFailingProxy(target: string, failingPath: string): Promise<FailingProxy> {
  const backend = new URL(target);
  let failing = true;
  let failed = 0;
  const server: Server = createServer((req, res) => {
    if (failing && req.url === failingPath) {
      failed++;
      res.writeHead(503, { 'Content-Type': 'application/json', Connection: 'close' });
      return void res.end(JSON.stringify({ error_code: 'SERVICE_UNAVAILABLE', message: 'proxy: backend unavailable' }));
    }
    const forwarded = request(
      { host: backend.hostname, port: backend.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    res.on('close', () => forwarded.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    failures: () => failed,
    passThrough: () => {
      failing = false;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
