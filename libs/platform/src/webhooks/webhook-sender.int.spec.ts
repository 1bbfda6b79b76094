import { afterEach, describe, expect, it } from '@jest/globals';
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { WebhookReceiver } from '../../../../test/support/webhook-receiver.js';
import { WebhookEgress } from './webhook-egress.js';
import { WebhookSender } from './webhook-sender.js';

const request = { headers: { 'content-type': 'application/json', 'webhook-id': 'e1' }, body: '{"n":1}' };
const opened: Array<{ close(): unknown }> = [];
const receivers: WebhookReceiver[] = [];

async function receiver(behaviour: 'accept' | 'hang' = 'accept'): Promise<WebhookReceiver> {
  const started = await WebhookReceiver.start(behaviour);
  receivers.push(started);
  return started;
}
function sender(allowedNetworks: string[]): WebhookSender {
  const made = new WebhookSender(allowedNetworks);
  opened.push(made);
  return made;
}

afterEach(async () => {
  opened.splice(0).forEach((made) => made.close());
  await Promise.all(receivers.splice(0).map((started) => started.down()));
});

describe('WebhookSender', () => {
  it('posts to a receiver on an address the egress allows, and says so', async () => {
    const hook = await receiver();
    expect(await sender(['127.0.0.1']).send(hook.url, request, { timeoutMs: 10_000 })).toEqual({
      status: 204,
      error: null,
    });
    expect(hook.posts.map((post) => [post.body, post.headers['webhook-id'], post.headers['user-agent']])).toEqual([
      ['{"n":1}', 'e1', 'cidadao-ai-webhooks/1'],
    ]);
  });

  it('does not connect to a loopback receiver by default: the outcome says why, the receiver hears nothing', async () => {
    const hook = await receiver();
    const port = new URL(hook.url).port;
    const closed = sender([]);
    for (const url of [hook.url, `http://localhost:${port}/hook`, `http://0x7f000001:${port}/hook`]) {
      const outcome = await closed.send(url, request, { timeoutMs: 10_000 });
      expect(outcome).toEqual({
        status: null,
        error: expect.stringMatching(
          /^ADDRESS_NOT_ALLOWED: (127\.0\.0\.1 is a loopback address|localhost names the loopback)/,
        ),
      });
    }
    expect(hook.posts).toEqual([]);
  });

  it('checks a name on the connection, on the addresses it resolves to', async () => {
    const name = hostname();
    const resolved = await lookup(name, { all: true }).catch(() => []);
    const refusable = resolved.length > 0 && resolved.every(({ address }) => new WebhookEgress([]).refusalOf(address));
    if (!refusable) {
      console.log(`skipped: this machine's name ${name} does not resolve to loopback or private addresses only`);
      return;
    }
    const hook = await receiver();
    const url = `http://${name}:${new URL(hook.url).port}/hook`;
    expect(await sender([]).send(url, request, { timeoutMs: 10_000 })).toEqual({
      status: null,
      error: expect.stringMatching(
        new RegExp(`^ADDRESS_NOT_ALLOWED: ${name} resolves only to addresses webhooks may not reach`),
      ),
    });
    expect(hook.posts).toEqual([]);
  });

  it('gives up a receiver that does not answer within the timeout', async () => {
    const hook = await receiver('hang');
    expect(await sender(['127.0.0.1']).send(hook.url, request, { timeoutMs: 300 })).toEqual({
      status: null,
      error: 'no answer within 300 ms',
    });
  });

  it('reports an error answer and a refused connection', async () => {
    const hook = await receiver();
    hook.behaviour = 'fail';
    const open = sender(['127.0.0.1']);
    expect(await open.send(hook.url, request, { timeoutMs: 10_000 })).toEqual({ status: 500, error: 'HTTP 500' });
    await hook.down();
    expect(await open.send(hook.url, request, { timeoutMs: 10_000 })).toEqual({
      status: null,
      error: expect.stringMatching(/^ECONNREFUSED/),
    });
  });
});
