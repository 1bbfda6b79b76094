import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fake answers one request. */
export type FakeReply =
  | {
      readonly kind: 'stream';
      readonly tokens: readonly string[];
      /** Usage figures sent in a last chunk, as OpenAI does with stream_options.include_usage. */
      readonly usage?: { readonly prompt_tokens: number; readonly completion_tokens: number };
      /** Raw lines written after this many tokens (malformed JSON, comments…). */
      readonly junk?: { readonly after: number; readonly lines: readonly string[] };
      /** Closes the connection after this many tokens, with no [DONE]. */
      readonly disconnectAfter?: number;
      /** Stops writing after this many tokens and waits for the client to go away. */
      readonly holdAfter?: number;
      /** Pauses after this many tokens until `until` resolves, then finishes the answer. */
      readonly pauseAfter?: { readonly index: number; readonly until: Promise<void> };
    }
  | { readonly kind: 'status'; readonly status: number; readonly body?: string; readonly retryAfter?: string };

export interface FakeRequest {
  readonly body: Record<string, unknown>;
  readonly authorization: string | undefined;
  /** Resolves when the client closed the connection before the answer ended. */
  readonly abandoned: Promise<void>;
}

export interface FakeOpenAi {
  readonly url: string;
  readonly requests: FakeRequest[];
  reply: (body: Record<string, unknown>) => FakeReply;
  /** Resolves with the request once `count` requests arrived. */
  waitForRequests(count: number): Promise<FakeRequest[]>;
  stop(): Promise<void>;
}

const chunk = (content: string): string =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
const FINISH = `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`;

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const piece of req) text += String(piece);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

async function stream(reply: Extract<FakeReply, { kind: 'stream' }>, res: ServerResponse): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
  res.write(': opening comment, ignored by readers\n\n');
  for (const [index, token] of reply.tokens.entries()) {
    if (reply.pauseAfter?.index === index) await reply.pauseAfter.until;
    if (reply.junk?.after === index) for (const line of reply.junk.lines) res.write(`${line}\n\n`);
    // A FIN in the middle of a chunked body: the client reads what was sent, then sees the cut.
    if (reply.disconnectAfter === index) return void res.socket?.end();
    if (reply.holdAfter === index) return;
    res.write(chunk(token));
  }
  res.write(FINISH);
  if (reply.usage)
    res.write(
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [], usage: reply.usage })}\n\n`,
    );
  res.end('data: [DONE]\n\n');
}

/** A local HTTP server speaking the OpenAI chat-completions streaming format, for tests. */
export async function startFakeOpenAi(
  reply: FakeOpenAi['reply'] = () => ({ kind: 'stream', tokens: ['Olá', '!'] }),
): Promise<FakeOpenAi> {
  const requests: FakeRequest[] = [];
  const waiters: Array<{ count: number; resolve: (r: FakeRequest[]) => void }> = [];
  const fake: FakeOpenAi = {
    url: '',
    requests,
    reply,
    waitForRequests: (count) =>
      new Promise((resolve) => {
        waiters.push({ count, resolve });
        notify();
      }),
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const notify = () => {
    for (const w of [...waiters]) {
      if (requests.length < w.count) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve([...requests]);
    }
  };
  const server = createServer((req, res) => {
    const abandoned = new Promise<void>((resolve) =>
      res.on('close', () => (res.writableFinished ? undefined : resolve())),
    );
    void readBody(req).then((body) => {
      requests.push({ body, authorization: req.headers.authorization, abandoned });
      notify();
      const answer = fake.reply(body);
      if (answer.kind === 'stream') return stream(answer, res);
      res.writeHead(answer.status, {
        'Content-Type': 'application/json',
        ...(answer.retryAfter ? { 'Retry-After': answer.retryAfter } : {}),
      });
      res.end(answer.body ?? JSON.stringify({ error: { message: `fake status ${answer.status}` } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(fake, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}
