import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import type { AuditEntry, AuditEventType, Severity } from '#audit';
import type { HttpSettings, Principal, Runtime } from '#platform';
import { clientIp } from '../http/client-ip.js';
import { requestIdsOf } from '../http/request-ids.js';
import { RUNTIME, SETTINGS } from '../tokens.js';

/** What a call site knows; the request fills in who, from where and under which ids. */
export interface AuditFacts {
  readonly eventType: AuditEventType;
  readonly severity: Severity;
  readonly success: boolean;
  readonly message: string;
  readonly userId?: string | null;
  readonly resourceType?: string;
  readonly resourceId?: string;
  readonly errorCode?: string;
}

/** Distinct token logins remembered per process, so each authenticated request does not log a login. */
const SEEN_LOGINS_CAP = 10_000;

const RATE_LIMIT_RECORD_WINDOW_MS = 60_000;

const header = (req: IncomingMessage, name: string): string | null => {
  const value = req.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? null : first.slice(0, 512);
};

/**
 * The API's single way into the audit log. A failing append is logged and swallowed: an
 * unreachable audit database must not turn every request into a 500, and the gap shows
 * up as missing records, not as a forged chain.
 */
@Injectable()
export class AuditRecorder {
  private readonly seenLogins = new Set<string>();
  /** A flood of 429s must not become a flood of audit appends: one record per budget per window. */
  private readonly lastRateLimited = new Map<string, number>();

  constructor(
    @Inject(RUNTIME) private readonly runtime: Pick<Runtime, 'audit' | 'logger'>,
    @Inject(SETTINGS.http) private readonly http: HttpSettings,
  ) {}

  async record(req: IncomingMessage | null, facts: AuditFacts): Promise<void> {
    const ids = req ? requestIdsOf(req) : null;
    const entry: AuditEntry = {
      occurredAt: new Date().toISOString(),
      eventType: facts.eventType,
      severity: facts.severity,
      userId: facts.userId ?? null,
      ip: req ? clientIp(req, this.http) : null,
      userAgent: req ? header(req, 'user-agent') : null,
      requestId: ids?.requestId ?? null,
      correlationId: ids?.correlationId ?? null,
      resourceType: facts.resourceType ?? null,
      resourceId: facts.resourceId ?? null,
      success: facts.success,
      errorCode: facts.errorCode ?? null,
      message: facts.message,
    };
    try {
      await this.runtime.audit.append(entry);
    } catch (error) {
      this.runtime.logger.error({ err: error, eventType: facts.eventType }, 'audit record could not be stored');
    }
  }

  /** Once per distinct token (subject + issued-at) per process, not once per request. */
  async loginSucceeded(req: IncomingMessage, principal: Principal, tokenKey: string): Promise<void> {
    if (principal.anonymous || this.seenLogins.has(tokenKey)) return;
    if (this.seenLogins.size >= SEEN_LOGINS_CAP) this.seenLogins.clear();
    this.seenLogins.add(tokenKey);
    await this.record(req, {
      eventType: 'auth.login_succeeded',
      severity: 'low',
      success: true,
      userId: principal.id,
      message: `token accepted for ${principal.id}`,
    });
  }

  loginFailed(req: IncomingMessage, errorCode: string, message: string, userId: string | null = null): Promise<void> {
    return this.record(req, {
      eventType: 'auth.login_failed',
      severity: 'medium',
      success: false,
      errorCode,
      message,
      userId,
    });
  }

  /** For the WebSocket upgrade paths and Socket.IO handshakes: a token refused before the socket opened. */
  webSocketTokenRejected(
    req: IncomingMessage,
    errorCode: string,
    message: string,
    resource = (req.url ?? '').split('?')[0] ?? '',
  ): Promise<void> {
    return this.record(req, {
      eventType: 'auth.ws_token_rejected',
      severity: 'medium',
      success: false,
      errorCode,
      message,
      resourceType: 'websocket',
      resourceId: resource,
    });
  }

  accessDenied(req: IncomingMessage, principal: Principal, permission: string, path: string): Promise<void> {
    return this.record(req, {
      eventType: 'security.access_denied',
      severity: 'high',
      success: false,
      userId: principal.id,
      errorCode: 'FORBIDDEN',
      resourceType: 'route',
      resourceId: path,
      message: `${permission} denied to roles [${principal.roles.join(', ')}]`,
    });
  }

  async rateLimited(req: IncomingMessage, scope: 'ip' | 'user', tracker: string, userId: string | null): Promise<void> {
    const key = `${scope}:${tracker}`;
    const now = Date.now();
    if (now - (this.lastRateLimited.get(key) ?? -Infinity) < RATE_LIMIT_RECORD_WINDOW_MS) return;
    if (this.lastRateLimited.size >= SEEN_LOGINS_CAP) this.lastRateLimited.clear();
    this.lastRateLimited.set(key, now);
    await this.record(req, {
      eventType: 'security.rate_limited',
      severity: 'medium',
      success: false,
      userId,
      errorCode: 'RATE_LIMITED',
      message: `${scope} rate limit exceeded`,
    });
  }
}
