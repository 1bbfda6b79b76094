import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { AuditExportRecord } from '#client';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';
import { waitUntil } from './support/wait-until.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `audit_e2e_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
const USER_LIMIT = 5;

let app: EmbeddedApp;
let db: pg.Client;
/** A fresh auditor per call: the per-user rate limit is kept low for the rate-limit case. */
const auditor = () => `auditor-${randomUUID().slice(0, 8)}`;
const bearer = async (sub: string, roles: Parameters<EmbeddedApp['token']>[1]) => ({
  Authorization: `Bearer ${await app.token(sub, roles)}`,
});

type ExportedRow = AuditExportRecord;

async function exportNdjson(query: string): Promise<ExportedRow[]> {
  const res = await fetch(`${app.url}/api/v1/audit/export?format=ndjson&${query}`, {
    headers: await bearer(auditor(), 'auditor'),
  });
  expect(res.status).toBe(200);
  const text = await res.text();
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ExportedRow);
}

beforeAll(async () => {
  db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  app = await startEmbeddedApp({
    EVENT_STORE: 'postgres',
    DATABASE_URL,
    DATABASE_SCHEMA: SCHEMA,
    RATE_LIMIT_PER_MINUTE: String(USER_LIMIT),
    AUTH_REQUIRED: 'true',
  });
}, 30_000);

afterAll(async () => {
  await app?.stop();
  await db.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(SCHEMA)} CASCADE`);
  await db.end();
});

describe('audit log', () => {
  it('records authentication failures, denials, rate limits and investigation starts with their request context', async () => {
    const failed = await fetch(`${app.url}/api/v1/audit/verify`, {
      headers: { Authorization: 'Bearer not-a-jwt', 'User-Agent': 'audit-e2e', 'X-Request-ID': 'req-login-failed' },
    });
    expect(failed.status).toBe(401);
    const denied = await fetch(`${app.url}/api/v1/audit/verify`, {
      headers: { ...(await bearer('vera-viewer', 'viewer')), 'X-Request-ID': 'req-denied' },
    });
    expect(denied.status).toBe(403);
    const started = await fetch(`${app.url}/api/v1/investigations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(await bearer('ana-analyst', 'analyst')) },
      body: JSON.stringify({ query: 'Contratos de merenda escolar' }),
    });
    expect(started.status).toBe(202);
    const { investigation_id } = (await started.json()) as { investigation_id: string };
    const flooder = await bearer('flood-user', 'viewer');
    const statuses: number[] = [];
    for (let i = 0; i <= USER_LIMIT; i++)
      statuses.push((await fetch(`${app.url}/api/v1/investigations/${investigation_id}`, { headers: flooder })).status);
    expect(statuses.at(-1)).toBe(429);

    const rows = await exportNdjson('');
    const byType = (type: string) => rows.filter((row) => row.event_type === type);
    expect(byType('auth.login_failed')[0]).toMatchObject({
      success: false,
      error_code: 'TOKEN_INVALID',
      user_agent: 'audit-e2e',
      request_id: 'req-login-failed',
      severity: 'medium',
    });
    expect(byType('auth.login_failed')[0]?.ip).toMatch(/127\.0\.0\.1/);
    expect(byType('security.access_denied')[0]).toMatchObject({
      user_id: 'vera-viewer',
      request_id: 'req-denied',
      severity: 'high',
      success: false,
    });
    expect(byType('investigation.started')[0]).toMatchObject({
      user_id: 'ana-analyst',
      resource_id: investigation_id,
      success: true,
    });
    expect(byType('security.rate_limited')).toEqual([
      expect.objectContaining({ user_id: 'flood-user', error_code: 'RATE_LIMITED' }),
    ]);
    expect(byType('auth.login_succeeded').map((row) => row.user_id)).toEqual(
      expect.arrayContaining(['vera-viewer', 'ana-analyst', 'flood-user']),
    );
    expect(rows.map((row) => row.seq)).toEqual(rows.map((_, i) => i + 1));
  });

  it('records data source calls and the completion from the workers', async () => {
    const completed = await waitUntil(
      async () => (await exportNdjson('event_type=investigation.completed&user_id=ana-analyst'))[0],
      'investigation.completed',
    );
    expect(completed).toMatchObject({ user_id: 'ana-analyst', success: true });
    const calls = await exportNdjson('event_type=data_source.called');
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((row) => row.user_id === 'ana-analyst' && row.resource_id === 'contracts')).toBe(true);
  });

  it('filters exports by event type prefix, severity and user, and names a bad parameter', async () => {
    const auth = await exportNdjson('event_type=auth.');
    expect(auth.length).toBeGreaterThan(0);
    expect(auth.every((row) => row.event_type.startsWith('auth.'))).toBe(true);
    expect((await exportNdjson('severity=high')).every((row) => row.severity === 'high')).toBe(true);
    expect((await exportNdjson('user_id=ana-analyst')).every((row) => row.user_id === 'ana-analyst')).toBe(true);
    expect(await exportNdjson('end_date=2000-01-01')).toEqual([]);
    const headers = await bearer(auditor(), 'auditor');
    for (const [query, parameter] of [
      ['start_date=yesterday', 'start_date'],
      ['severity=urgent', 'severity'],
      ['format=xml', 'format'],
    ]) {
      const res = await fetch(`${app.url}/api/v1/audit/export?${query}`, { headers });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toContain(parameter);
    }
  });

  it('exports CSV by default as an attachment, and only to auditors and admins', async () => {
    const res = await fetch(`${app.url}/api/v1/audit/export?event_type=investigation.started`, {
      headers: await bearer('root', 'admin'),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-.+\.csv"$/);
    const lines = (await res.text()).trim().split('\n');
    expect(lines[0]).toBe(
      'seq,timestamp,event_type,severity,user_id,ip,user_agent,request_id,correlation_id,resource_type,resource_id,success,error_code,message,prev_hash,hash',
    );
    expect(lines.slice(1).every((line) => line.includes(',investigation.started,'))).toBe(true);
    expect(lines.length).toBeGreaterThan(1);
    const analyst = await fetch(`${app.url}/api/v1/audit/export`, { headers: await bearer('ana-analyst', 'analyst') });
    expect(analyst.status).toBe(403);
  });

  it('verifies the chain without writing to it, and reports records cut from the end against the checkpoint', async () => {
    const headers = await bearer(auditor(), 'auditor');
    const table = `${pg.escapeIdentifier(SCHEMA)}.audit_log`;
    const count = async () => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);
    const intact = await fetch(`${app.url}/api/v1/audit/verify`, { headers });
    expect(intact.status).toBe(200);
    expect(await intact.json()).toMatchObject({ valid: true, first_broken: null });
    // The same token again: its login is already recorded, so nothing but the verification could append.
    const before = await count();
    expect(await (await fetch(`${app.url}/api/v1/audit/verify`, { headers })).json()).toMatchObject({ valid: true });
    expect(await count()).toBe(before);

    const anchored = await app.runtime.auditAnchor.checkpoint();
    expect(anchored).toMatchObject({ kind: 'written', checkpoint: { seq: before } });
    await db.query(`DELETE FROM ${table} WHERE seq = $1`, [before]);
    const cut = await fetch(`${app.url}/api/v1/audit/verify`, { headers });
    expect(await cut.json()).toMatchObject({
      valid: false,
      records_checked: before - 1,
      first_broken: { seq: before, reason: 'truncated' },
      latest_checkpoint: { seq: before },
      anchored_through: 0,
    });
  });

  it('reports the first record altered directly in the database', async () => {
    const headers = await bearer(auditor(), 'auditor');
    await db.query(`UPDATE ${pg.escapeIdentifier(SCHEMA)}.audit_log SET user_id = 'someone-else' WHERE seq = 3`);
    const tampered = await fetch(`${app.url}/api/v1/audit/verify`, { headers });
    const verdict = (await tampered.json()) as {
      valid: boolean;
      records_checked: number;
      first_broken: { seq: number; reason: string };
    };
    expect(verdict).toMatchObject({
      valid: false,
      records_checked: 2,
      first_broken: { seq: 3, reason: 'content_altered' },
    });
  });
});
