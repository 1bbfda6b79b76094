import type { ServerResponse } from 'node:http';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { formatSse, isSseSinkResponse, type Principal, type TokenRevocations } from '#platform';
import { TOKEN_REVOCATIONS } from '../tokens.js';

const EVENT_STREAM = /^text\/event-stream\b/i;

/** A stream's headers may be gone once sent: an SseSink's response says what it is by the sink. */
function isEventStream(res: ServerResponse): boolean {
  return isSseSinkResponse(res) || EVENT_STREAM.test(String(res.getHeader('Content-Type') ?? ''));
}

/**
 * The open responses of authenticated callers, so that revoking a user's tokens also ends
 * the SSE streams those tokens opened (WebSockets are cut by WsConnections). The stream gets
 * a last `error` event saying why; an EventSource's reconnect is then refused with 401.
 */
@Injectable()
export class RevocableStreams implements OnModuleInit, OnModuleDestroy {
  private readonly open = new Map<string, Map<ServerResponse, Principal>>();
  private watch: Subscription | null = null;

  constructor(@Inject(TOKEN_REVOCATIONS) private readonly revocations: TokenRevocations) {}

  onModuleInit(): void {
    this.watch = this.revocations.revoked$.subscribe(({ userId }) => this.endRevoked(userId));
  }

  onModuleDestroy(): void {
    this.watch?.unsubscribe();
  }

  /** Remembers the response until it closes; only the anonymous embedded user is not tracked. */
  track(principal: Principal, res: ServerResponse): void {
    if (principal.anonymous) return;
    let responses = this.open.get(principal.id);
    if (!responses) {
      responses = new Map();
      this.open.set(principal.id, responses);
    }
    const own = responses;
    own.set(res, principal);
    res.once('close', () => {
      own.delete(res);
      if (own.size === 0 && this.open.get(principal.id) === own) this.open.delete(principal.id);
    });
  }

  private endRevoked(userId: string): void {
    for (const [res, principal] of this.open.get(userId) ?? []) {
      if (!this.revocations.isRevoked(principal) || res.writableEnded || !isEventStream(res)) continue;
      res.write(
        formatSse({
          data: {
            type: 'error',
            error_code: 'TOKEN_REVOKED',
            message: 'the token of this stream has been revoked; sign in again',
            fallback_endpoint: null,
            retry_after: null,
          },
        }),
      );
      res.end();
    }
  }
}
