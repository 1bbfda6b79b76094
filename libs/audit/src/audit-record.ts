export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Dotted, `<area>.<what happened>`; export filters match on a prefix of it. */
export type AuditEventType =
  | 'auth.login_succeeded'
  | 'auth.login_failed'
  | 'auth.ws_token_rejected'
  | 'security.access_denied'
  | 'security.rate_limited'
  | 'investigation.started'
  | 'investigation.cancelled'
  | 'investigation.completed'
  | 'investigation.failed'
  | 'audit.exported'
  | 'audit.verified'
  | 'audit.chain_keyed'
  | 'audit.key_rotated'
  | 'data_source.called'
  | `admin.${string}`;

/** What a caller records: everything but the place in the chain. */
export interface AuditEntry {
  readonly occurredAt: string;
  readonly eventType: AuditEventType;
  readonly severity: Severity;
  readonly userId: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly requestId: string | null;
  readonly correlationId: string | null;
  readonly resourceType: string | null;
  readonly resourceId: string | null;
  readonly success: boolean;
  readonly errorCode: string | null;
  readonly message: string;
}

/** A stored record: `seq` is contiguous from 1, `hash` chains it to the record before. */
export interface AuditRecord extends AuditEntry {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
  /** Id of the HMAC key that made `hash`; null for records written before the chain was keyed (plain SHA-256). */
  readonly keyId: string | null;
}

/** prev_hash of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** An entry with every optional field null, for call sites that know only some facts. */
export function auditEntry(
  facts: Pick<AuditEntry, 'occurredAt' | 'eventType' | 'severity' | 'success' | 'message'> & Partial<AuditEntry>,
): AuditEntry {
  return {
    userId: null,
    ip: null,
    userAgent: null,
    requestId: null,
    correlationId: null,
    resourceType: null,
    resourceId: null,
    errorCode: null,
    ...facts,
  };
}
