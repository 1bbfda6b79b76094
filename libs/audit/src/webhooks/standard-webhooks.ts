import { createHmac } from 'node:crypto';
import type { CloudEvent } from '../cloud-event.js';
import type { WebhookMode } from './webhook-registry.js';

const SECRET_PREFIX = 'whsec_';

/**
 * A webhook's signing secret, `whsec_<base64 of 32 bytes>` as Standard Webhooks writes it,
 * derived from the deployment's key and the webhook's id. Derived rather than stored: the
 * registration is an event, and events go to auditors and the downstream feed.
 */
export function webhookSecretFor(key: string, webhookId: string): string {
  const bytes = createHmac('sha256', key).update(`cidadao-ai/webhook-secret\u0000${webhookId}`).digest();
  return `${SECRET_PREFIX}${bytes.toString('base64')}`;
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, the key being the secret's base64 part decoded. */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
  const digest = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${digest}`;
}

export interface WebhookRequest {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** CloudEvents' HTTP binding: outside printable ASCII, and space, `"` and `%`, are percent-encoded. */
const headerValue = (value: string | number): string =>
  Array.from(new TextEncoder().encode(String(value)))
    .map((byte) =>
      byte > 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

/**
 * The POST of one CloudEvent: structured mode sends the whole event as
 * `application/cloudevents+json`; binary mode sends its data as the body and every other
 * attribute as a `ce-` header. Either way signed per Standard Webhooks, `webhook-id` being the
 * event's id, the same on every retry and replay so receivers drop what they already have.
 */
export function webhookRequest(
  event: CloudEvent,
  mode: WebhookMode,
  secret: string,
  timestampSeconds: number,
): WebhookRequest {
  let body: string;
  let ceHeaders: Record<string, string> = {};
  let contentType: string;
  if (mode === 'structured') {
    body = JSON.stringify(event);
    contentType = 'application/cloudevents+json; charset=utf-8';
  } else {
    const { data, datacontenttype, ...attributes } = event;
    body = JSON.stringify(data);
    contentType = datacontenttype;
    ceHeaders = Object.fromEntries(
      Object.entries(attributes).map(([name, value]) => [`ce-${name}`, headerValue(value)]),
    );
  }
  return {
    body,
    headers: {
      'content-type': contentType,
      ...ceHeaders,
      'webhook-id': event.id,
      'webhook-timestamp': String(timestampSeconds),
      'webhook-signature': signWebhook(secret, event.id, timestampSeconds, body),
    },
  };
}
