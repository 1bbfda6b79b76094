import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { toCloudEvent } from '../cloud-event.js';
import { signWebhook, webhookRequest, webhookSecretFor } from './standard-webhooks.js';
import {
  afterAttempt,
  dueDeliveries,
  laneOf,
  newDelivery,
  nextDueAt,
  retryDelayMs,
  type RetryPolicy,
  type WebhookDelivery,
} from './webhook-delivery.js';
import { matchesPatterns, webhookWants } from './webhook-filter.js';
import { foldWebhooks, WEBHOOKS_STREAM } from './webhook-registry.js';

const policy: RetryPolicy = { minDelayMs: 1_000, maxDelayMs: 60_000, windowMs: 24 * 3_600_000 };
const t0 = new Date('2026-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

const event = (streamId: string, revision: number, position: number, type = 'AnomalyDetected') => ({
  streamId,
  revision,
  position,
  type,
  data: { score: 0.9, text: 'preço acima' },
  metadata: {
    eventId: `e-${position}`,
    occurredAt: t0.toISOString(),
    correlationId: 'c',
    commandId: 'k',
    userId: 'ana',
  },
});

describe('Standard Webhooks signature', () => {
  it('matches the specification’s example', () => {
    const signature = signWebhook(
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      1614265330,
      '{"test": 2432232314}',
    );
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('derives a stable whsec_ secret of 32 bytes per webhook', () => {
    const secret = webhookSecretFor('k'.repeat(32), 'w-1');
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(webhookSecretFor('k'.repeat(32), 'w-1')).toBe(secret);
    expect(webhookSecretFor('k'.repeat(32), 'w-2')).not.toBe(secret);
  });

  it('builds structured and binary requests whose signature covers the body sent', () => {
    const cloudEvent = toCloudEvent(event('investigation-1', 3, 42));
    const secret = webhookSecretFor('k'.repeat(32), 'w-1');
    const structured = webhookRequest(cloudEvent, 'structured', secret, 1_700_000_000);
    expect(structured.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
    expect(JSON.parse(structured.body)).toEqual(cloudEvent);
    const binary = webhookRequest(cloudEvent, 'binary', secret, 1_700_000_000);
    expect(JSON.parse(binary.body)).toEqual(cloudEvent.data);
    expect(binary.headers).toMatchObject({
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': 'e-42',
      'ce-type': 'br.gov.cidadao-ai.investigation.AnomalyDetected',
      'ce-subject': 'investigation-1',
      'ce-position': '42',
      'ce-time': '2026-01-01T00:00:00.000Z',
    });
    for (const request of [structured, binary]) {
      const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
      const expected = createHmac('sha256', key).update(`e-42.1700000000.${request.body}`).digest('base64');
      expect(request.headers['webhook-signature']).toBe(`v1,${expected}`);
      expect(request.headers['webhook-id']).toBe('e-42');
      expect(request.headers['webhook-timestamp']).toBe('1700000000');
    }
  });
});

describe('retries', () => {
  it('backs off exponentially with jitter between half and all of the ceiling, capped', () => {
    expect(retryDelayMs(1, policy, () => 0)).toBe(500);
    expect(retryDelayMs(1, policy, () => 1)).toBe(1_000);
    expect(retryDelayMs(4, policy, () => 1)).toBe(8_000);
    expect(retryDelayMs(30, policy, () => 0)).toBe(30_000);
    expect(retryDelayMs(30, policy, () => 1)).toBe(60_000);
  });

  it('delivers on 2xx, retries other answers and refusals, and fails once past the window', () => {
    const pending = newDelivery('w', event('investigation-1', 1, 10), t0);
    const refused = afterAttempt(pending, { status: null, error: 'ECONNREFUSED' }, t0, policy, () => 1);
    expect(refused).toMatchObject({ state: 'pending', attempts: 1, statusCodes: [null], lastError: 'ECONNREFUSED' });
    expect(refused.nextAttemptAt).toBe(at(1_000).toISOString());
    const error500 = afterAttempt(refused, { status: 500, error: 'HTTP 500' }, at(1_000), policy, () => 1);
    expect(error500).toMatchObject({ state: 'pending', attempts: 2, statusCodes: [null, 500] });
    expect(error500.firstAttemptAt).toBe(t0.toISOString());
    const late = afterAttempt(error500, { status: 503, error: null }, at(policy.windowMs), policy);
    expect(late).toMatchObject({ state: 'failed', nextAttemptAt: null, lastError: 'HTTP 503' });
    const ok = afterAttempt(error500, { status: 204, error: null }, at(5_000), policy);
    expect(ok).toMatchObject({ state: 'delivered', attempts: 3, deliveredAt: at(5_000).toISOString() });
  });
});

describe('order per stream', () => {
  const owed = (streamId: string, position: number, dueIn = 0): WebhookDelivery => ({
    ...newDelivery('w', event(streamId, position, position), t0),
    nextAttemptAt: at(dueIn).toISOString(),
  });

  it('sends only the first pending event of each stream, other streams going on', () => {
    const pending = [owed('investigation-a', 3), owed('investigation-a', 1, 10_000), owed('investigation-b', 2)];
    // a's head (1) is not due yet: a waits, even though 3 would be due; b goes on.
    expect(dueDeliveries(pending, t0, 10).map((d) => d.position)).toEqual([2]);
    expect(dueDeliveries(pending, at(10_000), 10).map((d) => d.position)).toEqual([2, 1]);
    expect(dueDeliveries(pending, at(10_000), 1).map((d) => d.position)).toEqual([2]);
    expect(nextDueAt(pending)).toBe(t0.getTime());
    expect(nextDueAt([])).toBeNull();
  });

  it('keeps the lanes of different webhooks apart', () => {
    const other = { ...owed('investigation-a', 5), webhookId: 'v' };
    expect(dueDeliveries([owed('investigation-a', 1), other], t0, 10).map((d) => d.position)).toEqual([1, 5]);
  });

  it('offers nothing from a lane whose attempt is under way, not even its next event', () => {
    const pending = [owed('investigation-a', 1), owed('investigation-a', 3), owed('investigation-b', 2, 5_000)];
    const busy = new Set([laneOf(pending[0] as WebhookDelivery)]);
    expect(dueDeliveries(pending, at(5_000), 10, busy).map((d) => d.position)).toEqual([2]);
    expect(dueDeliveries(pending, at(5_000), 0)).toEqual([]);
    expect(nextDueAt(pending, busy)).toBe(at(5_000).getTime());
    expect(nextDueAt(pending.slice(0, 2), busy)).toBeNull();
  });
});

describe('registrations and filters', () => {
  const stored = (position: number, type: string, data: unknown) => ({
    streamId: WEBHOOKS_STREAM,
    revision: position,
    position,
    type,
    data,
    metadata: { occurredAt: t0.toISOString() },
  });

  it('folds registrations and deletions, ignoring what it cannot read', () => {
    const registered = { url: 'https://x', events: [], streams: [], mode: 'binary', registeredBy: 'root' };
    const webhooks = foldWebhooks([
      stored(1, 'WebhookRegistered', { ...registered, webhookId: 'a' }),
      stored(2, 'WebhookRegistered', { ...registered, webhookId: 'b' }),
      stored(3, 'WebhookDeleted', { webhookId: 'a', deletedBy: 'root' }),
      stored(4, 'WebhookRegistered', { webhookId: 'c', url: 1 }),
    ]);
    expect([...webhooks.keys()]).toEqual(['b']);
    expect(webhooks.get('b')).toMatchObject({ position: 2, mode: 'binary', registeredAt: t0.toISOString() });
  });

  it('matches type and stream patterns with * and never sends the registrations', () => {
    expect(matchesPatterns([], 'x')).toBe(true);
    expect(matchesPatterns(['Anomaly*'], 'AnomalyDetected')).toBe(true);
    expect(matchesPatterns(['investigation.*'], 'AnomalyDetected', 'investigation.AnomalyDetected')).toBe(true);
    expect(matchesPatterns(['chat.*'], 'AnomalyDetected', 'investigation.AnomalyDetected')).toBe(false);
    expect(matchesPatterns(['a.b'], 'aXb')).toBe(false);
    const wants = { events: ['Investigation*'], streams: ['investigation-*'] };
    expect(webhookWants(wants, { streamId: 'investigation-1', type: 'InvestigationStarted' })).toBe(true);
    expect(webhookWants(wants, { streamId: 'chat-1', type: 'InvestigationStarted' })).toBe(false);
    expect(webhookWants({ events: [], streams: [] }, { streamId: WEBHOOKS_STREAM, type: 'WebhookRegistered' })).toBe(
      false,
    );
  });
});
