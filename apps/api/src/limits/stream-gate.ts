import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import {
  resolveAuthMode,
  StreamAdmission,
  verifiedUserId,
  type AuthSettings,
  type HttpSettings,
  type Metrics,
  type Principal,
  type ProcessSettings,
  type StreamingSettings,
  type StreamRefusal,
} from '#platform';
import { ApiError } from '../http/api-error.js';
import { clientIp } from '../http/client-ip.js';
import { METRICS, SETTINGS } from '../tokens.js';

export type StreamTransport = 'sse' | 'websocket';

const RETRY_AFTER_SECONDS = 5;

/** The quota of one process: without required tokens every caller is anonymous, so nothing is kept back. */
export function streamQuota(streaming: StreamingSettings, authRequired: boolean) {
  const capacity = streaming.maxConcurrent;
  const anonymous = authRequired ? (streaming.maxAnonymous ?? Math.floor(capacity / 2)) : capacity;
  return { capacity, perAddress: streaming.maxPerAddress, perUser: streaming.maxPerUser, anonymous };
}

/**
 * Admits every long-lived connection of this process (SSE streams, raw WebSockets,
 * Socket.IO connections) against one StreamAdmission. A refusal happens before anything is
 * sent, counts as a streaming error, and says which quota it hit.
 */
@Injectable()
export class StreamGate {
  readonly admission: StreamAdmission;

  constructor(
    @Inject(SETTINGS.streaming) streaming: StreamingSettings,
    @Inject(SETTINGS.auth) auth: AuthSettings,
    @Inject(SETTINGS.process) process: ProcessSettings,
    @Inject(SETTINGS.http) private readonly http: HttpSettings,
    @Inject(METRICS) private readonly metrics: Metrics,
  ) {
    this.admission = new StreamAdmission(streamQuota(streaming, resolveAuthMode({ auth, process }).required));
  }

  /** A release function (safe to call twice), or an ApiError: 429 for a client's own quota, 503 when the server is full. */
  admit(req: IncomingMessage, principal: Principal, transport: StreamTransport, endpoint: string): () => void {
    const holder = { address: clientIp(req, this.http), userId: verifiedUserId(principal) };
    const admission = this.admission.tryAcquire(holder);
    if (admission.ok) return admission.release;
    this.metrics.streamingErrors.inc({ type: transport, endpoint });
    throw refusalError(admission.refusal, admission.limit);
  }
}

function refusalError(refusal: StreamRefusal, limit: number): ApiError {
  switch (refusal) {
    case 'capacity':
      return new ApiError(
        503,
        'TOO_MANY_STREAMS',
        `this server already serves ${limit} streams; retry shortly`,
        undefined,
        RETRY_AFTER_SECONDS,
      );
    case 'anonymous':
      return new ApiError(
        503,
        'TOO_MANY_STREAMS',
        `the ${limit} streams open to callers without a token are taken; retry shortly or send a token`,
        undefined,
        RETRY_AFTER_SECONDS,
      );
    case 'address':
      return new ApiError(
        429,
        'TOO_MANY_STREAMS',
        `this address already holds ${limit} open streams (MAX_STREAMS_PER_IP); close one first`,
        undefined,
        RETRY_AFTER_SECONDS,
      );
    case 'user':
      return new ApiError(
        429,
        'TOO_MANY_STREAMS',
        `this user already holds ${limit} open streams (MAX_STREAMS_PER_USER); close one first`,
        undefined,
        RETRY_AFTER_SECONDS,
      );
    default: {
      const unknown: never = refusal;
      throw new Error(`unknown refusal ${String(unknown)}`);
    }
  }
}
