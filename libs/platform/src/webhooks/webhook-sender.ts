import http from 'node:http';
import https from 'node:https';
import type { AttemptOutcome, WebhookRequest } from '#audit';
import type { AddressRange } from '../config/address-ranges.js';
import { AddressNotAllowed, WebhookEgress } from './webhook-egress.js';

export interface SendOptions {
  readonly timeoutMs: number;
  /** Ends the request early: the dispatcher stopping. */
  readonly signal?: AbortSignal;
}

export type SendWebhook = (url: string, request: WebhookRequest, options: SendOptions) => Promise<AttemptOutcome>;

const MAX_ERROR_LENGTH = 300;
/** Of a receiver's answer only the status counts; past this much body the connection is let go. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** The receiver closed a kept-alive connection as a request was sent on it (its idle timeout). */
class StaleConnection extends Error {
  readonly code = 'ECONNRESET';
  constructor() {
    super('the receiver closed a kept-alive connection as the event was sent on it');
  }
}

function describe(error: unknown, timeout: AbortSignal, timeoutMs: number): string {
  if (timeout.aborted) return `no answer within ${timeoutMs} ms`;
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = [code, message].filter(Boolean).join(': ');
  return (text || String(error)).slice(0, MAX_ERROR_LENGTH);
}

/**
 * POSTs to receivers, over connections kept alive per receiver, each made only to an address
 * the egress allows (WebhookEgress). A redirect is not followed (the receiver registered one
 * URL, and a 3xx is an answer that says the event was not taken); the whole exchange, body
 * included, is bounded by the timeout.
 */
export class WebhookSender {
  private readonly egress: WebhookEgress;
  private readonly agents: Readonly<Record<'http:' | 'https:', http.Agent>>;

  constructor(allowedNetworks: readonly AddressRange[]) {
    this.egress = new WebhookEgress(allowedNetworks);
    const options = { keepAlive: true, lookup: this.egress.lookup };
    this.agents = { 'http:': new http.Agent(options), 'https:': new https.Agent(options) };
  }

  readonly send: SendWebhook = async (url, request, { timeoutMs, signal }) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const target = new URL(url);
      const refused = this.egress.refusalOfHost(target.hostname);
      if (refused) throw new AddressNotAllowed(refused);
      const abort = signal ? AbortSignal.any([signal, timeout]) : timeout;
      // A kept connection the receiver closed as it was taken is not an answer: once more, on a new one.
      const status = await this.post(target, request, abort).catch((error: unknown) =>
        error instanceof StaleConnection ? this.post(target, request, abort) : Promise.reject(error),
      );
      return { status, error: status >= 200 && status < 300 ? null : `HTTP ${status}` };
    } catch (error) {
      return { status: null, error: describe(error, timeout, timeoutMs) };
    }
  };

  /** Lets go of the connections kept for the next deliveries. */
  close(): void {
    for (const agent of Object.values(this.agents)) agent.destroy();
  }

  private post(target: URL, request: WebhookRequest, signal: AbortSignal): Promise<number> {
    const agent = target.protocol === 'https:' ? this.agents['https:'] : this.agents['http:'];
    const body = Buffer.from(request.body);
    const headers = { ...request.headers, 'user-agent': 'cidadao-ai-webhooks/1', 'content-length': body.length };
    const client = target.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = client.request(target, { method: 'POST', agent, headers, signal }, (res) => {
        const status = res.statusCode ?? 0;
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) {
            res.destroy();
            resolve(status);
          }
        });
        res.on('end', () => resolve(status));
        res.on('error', reject);
        res.on('close', () => {
          if (!res.complete) reject(new Error('the answer was cut off'));
        });
      });
      req.on('error', (error: NodeJS.ErrnoException) =>
        reject(req.reusedSocket && error.code === 'ECONNRESET' && !signal.aborted ? new StaleConnection() : error),
      );
      req.end(body);
    });
  }
}
