import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPost {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** What the receiver answered. */
  readonly status: number;
}

export type ReceiverBehaviour = 'accept' | 'fail';

/**
 * A webhook receiver on an ephemeral port that answers 204 or 500 as the test says, and can
 * be taken down (connections refused) and brought back on the same port.
 */
export class WebhookReceiver {
  readonly posts: ReceivedPost[] = [];
  behaviour: ReceiverBehaviour = 'accept';
  private server: Server | null = null;
  private port = 0;

  static async start(behaviour: ReceiverBehaviour = 'accept'): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    receiver.behaviour = behaviour;
    await receiver.up();
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** Posts the receiver answered with 2xx. */
  get accepted(): ReceivedPost[] {
    return this.posts.filter((post) => post.status < 300);
  }

  async up(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const status = this.behaviour === 'accept' ? 204 : 500;
        this.posts.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Closes the port: attempts from now on are refused. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
