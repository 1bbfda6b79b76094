import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPost {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** What the receiver answered. */
  readonly status: number;
}

export type ReceiverBehaviour = 'accept' | 'fail' | 'hang';

interface HeldPost {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly res: ServerResponse;
}

/**
 * A webhook receiver on an ephemeral port that answers 204 or 500 as the test says, or holds
 * the request unanswered ('hang') until released or given up by the sender, and can be taken
 * down (connections refused) and brought back on the same port.
 */
export class WebhookReceiver {
  readonly posts: ReceivedPost[] = [];
  behaviour: ReceiverBehaviour = 'accept';
  /** Posts held unanswered, still open. */
  readonly held: HeldPost[] = [];
  /** Held posts whose sender closed the connection before an answer (its timeout). */
  abandoned = 0;
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

  /** Answers the held posts, and the next ones, as `behaviour` says. */
  release(behaviour: Exclude<ReceiverBehaviour, 'hang'>): void {
    this.behaviour = behaviour;
    for (const post of this.held.splice(0)) this.answer(post);
  }

  private hold(post: HeldPost): void {
    this.held.push(post);
    post.res.on('close', () => {
      const at = this.held.indexOf(post);
      if (at < 0) return;
      this.held.splice(at, 1);
      this.abandoned += 1;
    });
  }

  private answer({ headers, body, res }: HeldPost): void {
    const status = this.behaviour === 'fail' ? 500 : 204;
    this.posts.push({ headers, body, status });
    res.writeHead(status).end();
  }

  async up(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (this.behaviour === 'hang') return this.hold({ headers: req.headers, body, res });
        this.answer({ headers: req.headers, body, res });
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
