import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RecordedEvent } from '#eventsourcing';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';
import { waitUntil } from './support/wait-until.js';
import { WebhookReceiver, type ReceivedPost } from './support/webhook-receiver.js';

/**
 * Standard Webhooks verification written from the specification, not from the server's code:
 * the key is the secret's base64 after `whsec_`; the signed content `id.timestamp.body`; the
 * header a space-separated list of `v1,<base64>`; the timestamp within five minutes.
 */
function verifySignature(secret: string, post: ReceivedPost): boolean {
  const id = String(post.headers['webhook-id']);
  const timestamp = String(post.headers['webhook-timestamp']);
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.split('_')[1] ?? '', 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${post.body}`).digest();
  return String(post.headers['webhook-signature'])
    .split(' ')
    .some((signature) => {
      const [version, value] = signature.split(',');
      const given = Buffer.from(value ?? '', 'base64');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

let app: EmbeddedApp;
let admin: string;
let analyst: string;
const receivers: WebhookReceiver[] = [];

/** Retries within a test's patience: 25-50 ms doubling to 150-300 ms. */
const QUICK_RETRIES = { WEBHOOK_RETRY_MIN_MS: '50', WEBHOOK_RETRY_MAX_MS: '300', WEBHOOK_TIMEOUT_MS: '5000' };

beforeAll(async () => {
  // The receivers are on this machine: its IPv4 loopback only (not [::1], nor any other).
  app = await startEmbeddedApp({ AUTH_REQUIRED: 'true', WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1', ...QUICK_RETRIES });
  admin = await app.token('root', 'admin');
  analyst = await app.token('ana', 'analyst');
});
afterAll(async () => {
  await app?.stop();
  await Promise.all(receivers.map((receiver) => receiver.down()));
});

async function receiver(behaviour: 'accept' | 'fail'): Promise<WebhookReceiver> {
  const started = await WebhookReceiver.start(behaviour);
  receivers.push(started);
  return started;
}

const call = (method: string, path: string, token: string | null, body?: unknown) =>
  fetch(`${app.url}${path}`, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

interface Registered {
  readonly id: string;
  readonly secret: string;
  readonly position: number;
}

async function register(body: Record<string, unknown>): Promise<Registered> {
  const res = await call('POST', '/api/v1/webhooks', admin, body);
  expect(res.status).toBe(201);
  return (await res.json()) as Registered;
}

async function startInvestigation(): Promise<string> {
  const res = await call('POST', '/api/v1/investigations', analyst, {
    query: 'Contratos de saúde em 2024',
    data_source: 'synthetic',
  });
  expect(res.status).toBe(202);
  return `investigation-${((await res.json()) as { investigation_id: string }).investigation_id}`;
}

interface LogRow {
  readonly status: string;
  readonly attempts: number;
  readonly status_codes: (number | null)[];
}

async function deliveryLog(webhookId: string): Promise<LogRow[]> {
  const res = await call('GET', `/api/v1/webhooks/${webhookId}/deliveries?limit=500`, admin);
  expect(res.status).toBe(200);
  return ((await res.json()) as { deliveries: LogRow[] }).deliveries;
}

const TERMINAL = new Set(['InvestigationCompleted', 'InvestigationFailed', 'InvestigationCancelled']);

/** The streams' events once each has ended. */
function ended(streamIds: readonly string[]) {
  return waitUntil(
    async () => {
      const streams = await Promise.all(streamIds.map((id) => app.runtime.store.readStream(id)));
      return streams.every((events) => TERMINAL.has(events.at(-1)?.type ?? '')) ? streams.flat() : undefined;
    },
    'the investigations to end',
    60_000,
  );
}

const idOf = (post: ReceivedPost): string => String(post.headers['webhook-id']);

/** Accepted posts, first of each webhook-id, as the receiver saw them. */
function firstAccepted(posts: readonly ReceivedPost[]): ReceivedPost[] {
  const seen = new Set<string>();
  return posts.filter((post) => post.status < 300 && !seen.has(idOf(post)) && seen.add(idOf(post)));
}

function expectInOrderPerStream(events: readonly RecordedEvent[], subjects: readonly [string, number][]): void {
  const byStream = new Map<string, number[]>();
  for (const [subject, revision] of subjects) byStream.set(subject, [...(byStream.get(subject) ?? []), revision]);
  for (const [streamId, revisions] of byStream) {
    const expected = events.filter((event) => event.streamId === streamId).map((event) => event.revision);
    expect(revisions).toEqual(expected);
  }
}

describe('webhooks (embedded, real receiver)', () => {
  it('gets every event to a receiver that fails, goes away and comes back, once per webhook-id, in order per stream, signed', async () => {
    const hook = await receiver('fail');
    const webhook = await register({ url: hook.url, events: ['investigation.*'], streams: ['investigation-*'] });
    expect(webhook.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const streams = [await startInvestigation(), await startInvestigation(), await startInvestigation()];
    await waitUntil(() => (hook.posts.length >= 5 ? true : undefined), 'refused attempts');
    await hook.down();
    await waitUntil(async () => {
      const log = await deliveryLog(webhook.id);
      return log.some((d) => d.status_codes.includes(null)) ? true : undefined;
    }, 'refused connections in the delivery log');
    const events = await ended(streams);
    // The dispatcher stops with deliveries owed and a fresh one takes them from the log.
    await app.stopWorkers();
    await app.startWorkers();
    hook.behaviour = 'accept';
    await hook.up();

    const expectedIds = events.map((event) => event.metadata.eventId).sort();
    await waitUntil(
      () => (new Set(hook.accepted.map(idOf)).size >= expectedIds.length ? true : undefined),
      'every event accepted',
      60_000,
    );
    const accepted = firstAccepted(hook.posts);
    expect(accepted.map(idOf).sort()).toEqual(expectedIds);
    expect(hook.accepted).toHaveLength(expectedIds.length);
    const cloudEvents = accepted.map(
      (post) => JSON.parse(post.body) as { subject: string; revision: number; id: string },
    );
    expectInOrderPerStream(
      events,
      cloudEvents.map((ce) => [ce.subject, ce.revision]),
    );
    expect(cloudEvents.every((ce, i) => ce.id === idOf(accepted[i] as ReceivedPost))).toBe(true);
    expect(hook.posts.filter((post) => post.status === 500).length).toBeGreaterThan(0);
    expect(hook.posts.every((post) => verifySignature(webhook.secret, post))).toBe(true);
    expect(hook.posts.every((post) => verifySignature(`whsec_${Buffer.alloc(32).toString('base64')}`, post))).toBe(
      false,
    );
    expect(accepted[0]?.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');

    const log = await waitUntil(async () => {
      const deliveries = await deliveryLog(webhook.id);
      return deliveries.every((d) => d.status === 'delivered') ? deliveries : undefined;
    }, 'the delivery log to say delivered');
    expect(log).toHaveLength(expectedIds.length);
    expect(log.some((d) => d.attempts > 1 && d.status_codes.includes(500))).toBe(true);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/^webhook_attempts_total\{outcome="retry"\} [1-9]/m);
    expect(metrics).toMatch(/^webhook_attempts_total\{outcome="delivered"\} [1-9]/m);
  });

  it('sends binary mode to a stream filter, and redelivers from a position or an event id', async () => {
    const hook = await receiver('accept');
    const streamId = await startInvestigation();
    const webhook = await register({ url: hook.url, streams: [streamId], mode: 'binary' });
    const events = (await ended([streamId])).filter((event) => event.position > webhook.position);
    expect(events.length).toBeGreaterThan(3);
    await waitUntil(() => (hook.accepted.length >= events.length ? true : undefined), 'the events after registering');
    expect(hook.accepted.map(idOf)).toEqual(events.map((event) => event.metadata.eventId));
    const [first] = hook.accepted;
    expect(first?.headers).toMatchObject({ 'content-type': 'application/json', 'ce-specversion': '1.0' });
    expect(first?.headers['ce-type']).toBe(`br.gov.cidadao-ai.investigation.${events[0]?.type}`);
    expect(JSON.parse(first?.body ?? 'null')).toEqual(events[0]?.data);
    expect(hook.posts.every((post) => verifySignature(webhook.secret, post))).toBe(true);

    const from = events[2] as RecordedEvent;
    const before = hook.posts.length;
    const replay = await call('POST', `/api/v1/webhooks/${webhook.id}/replay`, admin, { from: from.position });
    expect(replay.status).toBe(202);
    expect(await replay.json()).toEqual({ webhook_id: webhook.id, from: from.position });
    const again = events.slice(2).map((event) => event.metadata.eventId);
    await waitUntil(() => (hook.posts.length - before >= again.length ? true : undefined), 'the redelivery');
    expect(hook.posts.slice(before).map(idOf)).toEqual(again);

    const last = events.at(-1) as RecordedEvent;
    const byId = hook.posts.length;
    const res = await call('POST', `/api/v1/webhooks/${webhook.id}/replay`, admin, { from: last.metadata.eventId });
    expect(await res.json()).toEqual({ webhook_id: webhook.id, from: last.position });
    await waitUntil(() => (hook.posts.length > byId ? true : undefined), 'the redelivery by event id');
    expect(hook.posts.slice(byId).map(idOf)).toEqual([last.metadata.eventId]);
  });

  it('is for admins only, refuses bad bodies with 400 without registering anything, and deletes', async () => {
    const hook = await receiver('accept');
    const listed = async () =>
      ((await (await call('GET', '/api/v1/webhooks', admin)).json()) as { webhooks: { id: string }[] }).webhooks;
    const count = (await listed()).length;
    expect((await call('POST', '/api/v1/webhooks', analyst, { url: hook.url })).status).toBe(403);
    // A refused address is an admin's to learn of: anyone else is refused for the role first.
    expect((await call('POST', '/api/v1/webhooks', analyst, { url: 'http://169.254.169.254/' })).status).toBe(403);
    expect((await call('POST', '/api/v1/webhooks', null, { url: 'http://169.254.169.254/' })).status).toBe(401);
    expect((await call('GET', '/api/v1/webhooks', analyst)).status).toBe(403);
    expect((await call('POST', '/api/v1/webhooks', null, { url: hook.url })).status).toBe(401);
    const bad: [unknown, RegExp][] = [
      [{}, /url/],
      [{ url: 'ftp://example.org/hook' }, /http:\/\/ or https:\/\//],
      [{ url: 'not a url' }, /absolute URL/],
      [{ url: 'https://user:pw@example.org/hook' }, /credentials/],
      [{ url: hook.url, events: ['Anomaly Detected'] }, /events\.0/],
      [{ url: hook.url, mode: 'batch' }, /mode/],
      [{ url: hook.url, secret: 'mine' }, /secret|unrecognized/i],
      [{ url: 'http://169.254.169.254/latest/meta-data/' }, /url: 169\.254\.169\.254 is a link-local address/],
      [{ url: 'http://[::1]:9/hook' }, /url: ::1 is a loopback address/],
      [{ url: 'http://10.0.0.1/hook' }, /url: 10\.0\.0\.1 is a private address.*WEBHOOK_ALLOWED_NETWORKS/],
    ];
    for (const [body, message] of bad) {
      const res = await call('POST', '/api/v1/webhooks', admin, body);
      expect(res.status).toBe(400);
      const error = (await res.json()) as { error_code: string; message: string };
      expect(error.error_code).toBe('VALIDATION_ERROR');
      expect(error.message).toMatch(message);
    }
    expect(await listed()).toHaveLength(count);

    const webhook = await register({ url: hook.url, events: ['Nothing*'] });
    const one = await call('GET', `/api/v1/webhooks/${webhook.id}`, admin);
    expect(one.status).toBe(200);
    const shown = (await one.json()) as Record<string, unknown>;
    expect(shown).toMatchObject({ id: webhook.id, url: hook.url, mode: 'structured', events: ['Nothing*'] });
    expect(shown).not.toHaveProperty('secret');
    expect(JSON.stringify(await listed())).not.toContain(webhook.secret);
    expect((await call('POST', `/api/v1/webhooks/${webhook.id}/replay`, admin, { from: -1 })).status).toBe(400);
    expect((await call('POST', `/api/v1/webhooks/${webhook.id}/replay`, admin, { from: 'nope' })).status).toBe(400);
    const huge = { from: '99999999999999999999' };
    expect((await call('POST', `/api/v1/webhooks/${webhook.id}/replay`, admin, huge)).status).toBe(400);
    expect((await call('GET', '/api/v1/webhooks/not-an-id', admin)).status).toBe(400);
    expect((await call('GET', `/api/v1/webhooks/${webhook.id}/deliveries?limit=0`, admin)).status).toBe(400);
    expect((await call('DELETE', `/api/v1/webhooks/${webhook.id}`, analyst)).status).toBe(403);
    const deleted = await call('DELETE', `/api/v1/webhooks/${webhook.id}`, admin);
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual({ id: webhook.id, deleted_by: 'root' });
    expect((await call('GET', `/api/v1/webhooks/${webhook.id}`, admin)).status).toBe(404);
    expect((await call('DELETE', `/api/v1/webhooks/${webhook.id}`, admin)).status).toBe(404);
    expect((await listed()).map((w) => w.id)).not.toContain(webhook.id);
  });
});
