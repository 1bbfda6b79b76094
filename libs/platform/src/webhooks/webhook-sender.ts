import type { AttemptOutcome, WebhookRequest } from '#audit';

export interface SendOptions {
  readonly timeoutMs: number;
  /** Ends the request early: the dispatcher stopping. */
  readonly signal?: AbortSignal;
}

const MAX_ERROR_LENGTH = 300;

function describe(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const text = [cause?.code, cause?.message ?? (error as Error).message].filter(Boolean).join(': ');
  return (text || String(error)).slice(0, MAX_ERROR_LENGTH);
}

/**
 * One POST to a receiver. A redirect is not followed (the receiver registered one URL, and a
 * 3xx is an answer that says the event was not taken); the whole exchange, body included, is
 * bounded by the timeout.
 */
export async function sendWebhook(
  url: string,
  request: WebhookRequest,
  { timeoutMs, signal }: SendOptions,
): Promise<AttemptOutcome> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { ...request.headers, 'user-agent': 'cidadao-ai-webhooks/1' },
      body: request.body,
      redirect: 'manual',
      signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel().catch(() => undefined);
    const ok = res.status >= 200 && res.status < 300;
    return { status: res.status, error: ok ? null : `HTTP ${res.status}` };
  } catch (error) {
    return { status: null, error: describe(error, timeoutMs) };
  }
}
