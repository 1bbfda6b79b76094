import { describe, expect, it } from '@jest/globals';
import { chainNext } from './audit-hash.js';
import { auditKey } from './audit-key.js';
import { matchesAuditFilter } from './audit-filter.js';
import type { AuditRecord } from './audit-record.js';

const [record] = chainNext(
  null,
  {
    occurredAt: '2026-03-10T12:00:00.000Z',
    eventType: 'auth.login_failed',
    severity: 'high',
    userId: 'ana',
    ip: null,
    userAgent: null,
    requestId: null,
    correlationId: null,
    resourceType: null,
    resourceId: null,
    success: false,
    errorCode: null,
    message: 'x',
  },
  auditKey('k'.repeat(32)),
) as [AuditRecord];

describe('matchesAuditFilter', () => {
  it('matches event types by prefix', () => {
    expect(matchesAuditFilter(record, { eventType: 'auth.' })).toBe(true);
    expect(matchesAuditFilter(record, { eventType: 'security.' })).toBe(false);
  });

  it('bounds by date, severity and user', () => {
    expect(matchesAuditFilter(record, { startDate: '2026-03-11' })).toBe(false);
    expect(matchesAuditFilter(record, { endDate: '2026-03-11', startDate: '2026-03-01' })).toBe(true);
    expect(matchesAuditFilter(record, { severity: 'low' })).toBe(false);
    expect(matchesAuditFilter(record, { userId: 'bruno' })).toBe(false);
  });
});
