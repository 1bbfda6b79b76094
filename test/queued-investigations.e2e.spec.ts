import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { deterministicUuid } from '#platform';
import { openIo } from '../apps/api/src/websocket/testing/io-client.testing.js';
import { connectWs, wsUrl } from '../apps/api/src/websocket/testing/ws-client.testing.js';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';

/**
 * The workers are down: an investigation is only its StartInvestigation command on the bus.
 * It must still be its starter's, as a running one is: others get 404 everywhere.
 */
let app: EmbeddedApp;
let id = '';
const tokens: Record<string, string> = {};
const bearer = (who: string): Record<string, string> => ({ Authorization: `Bearer ${tokens[who]}` });
const json = { 'Content-Type': 'application/json' };

beforeAll(async () => {
  app = await startEmbeddedApp({ JWT_SECRET: 'queued-investigations-secret-0123456789' }, { workers: false });
  for (const [sub, role] of [
    ['ana', 'analyst'],
    ['bob', 'analyst'],
    ['vera', 'viewer'],
    ['carol', 'auditor'],
    ['root', 'admin'],
  ] as const)
    tokens[sub] = await app.token(sub, role);
  const res = await fetch(`${app.url}/api/v1/investigations`, {
    method: 'POST',
    headers: { ...json, ...bearer('ana') },
    body: JSON.stringify({ query: 'contratos de saúde', data_source: 'synthetic' }),
  });
  expect(res.status).toBe(202);
  id = ((await res.json()) as { investigation_id: string }).investigation_id;
});
afterAll(async () => {
  await app?.stop();
});

const status = async (path: string, who: string, init: RequestInit = {}): Promise<number> => {
  const abort = new AbortController();
  const res = await fetch(`${app.url}${path}`, {
    ...init,
    headers: { ...json, ...bearer(who), ...(init.headers as Record<string, string>) },
    signal: abort.signal,
  });
  abort.abort();
  return res.status;
};

describe('a queued investigation', () => {
  it('is shown to its starter, auditors and admins as queued, with its owner', async () => {
    for (const who of ['ana', 'carol', 'root']) {
      const res = await fetch(`${app.url}/api/v1/investigations/${id}`, { headers: bearer(who) });
      expect({ who, status: res.status, body: await res.json() }).toMatchObject({
        who,
        status: 200,
        body: { investigation_id: id, status: 'queued', user_id: 'ana' },
      });
    }
  });

  it('answers 404 to another analyst and to a viewer on every HTTP route, and sends no cancel', async () => {
    const routes = [
      `/api/v1/investigations/${id}`,
      `/api/v1/investigations/stream/${id}`,
      `/api/v1/investigations/${id}/events`,
      `/api/v1/investigations/${id}/replay`,
    ];
    for (const who of ['bob', 'vera']) {
      for (const path of routes)
        expect({ who, path, status: await status(path, who) }).toEqual({ who, path, status: 404 });
    }
    expect(await status(`/api/v1/investigations/${id}/cancel`, 'bob', { method: 'POST', body: '{}' })).toBe(404);
    expect(await app.runtime.bus.firstAccepted({ aggregate: 'investigation', id }, 'CancelInvestigation')).toBeNull();
  });

  it('refuses another analyst on the raw WebSocket, the general endpoint and Socket.IO', async () => {
    const raw = await connectWs(wsUrl(app.url, `/api/v1/ws/investigations/${id}?token=${tokens.bob}`));
    expect(await raw.waitFor((m) => m.type === 'error', 'the refusal')).toMatchObject({
      error_code: 'INVESTIGATION_NOT_FOUND',
    });
    expect((await raw.closed).code).toBe(4404);

    const general = await connectWs(wsUrl(app.url, `/api/v1/ws?token=${tokens.bob}`));
    general.send({ type: 'subscribe', stream: `investigation:${id}` });
    expect(await general.waitFor((m) => m.type === 'error', 'the refusal')).toMatchObject({
      error_code: 'INVESTIGATION_NOT_FOUND',
      stream: `investigation:${id}`,
    });
    await general.close();

    const io = openIo(`${app.url}/investigations`, { auth: { token: tokens.bob, investigationId: id } });
    try {
      expect(await io.waitFor((event) => event === 'error', 'the refusal')).toMatchObject({
        error_code: 'INVESTIGATION_NOT_FOUND',
        investigation_id: id,
      });
      expect(await io.request('cancel', { investigation_id: id })).toMatchObject({
        type: 'error',
        error_code: 'INVESTIGATION_NOT_FOUND',
      });
    } finally {
      io.close();
    }
  });

  it('may be cancelled by its starter', async () => {
    expect(await status(`/api/v1/investigations/${id}/cancel`, 'ana', { method: 'POST', body: '{}' })).toBe(202);
  });
});

describe('ids derived from an Idempotency-Key', () => {
  it('are keyed with the server secret: the same per user and key, not computable from them', async () => {
    const start = (who: string) =>
      fetch(`${app.url}/api/v1/investigations`, {
        method: 'POST',
        headers: { ...json, ...bearer(who), 'Idempotency-Key': 'lote-7' },
        body: JSON.stringify({ query: 'contratos de obras' }),
      }).then(async (res) => (await res.json()) as { investigation_id: string; duplicate: boolean });
    const first = await start('ana');
    expect(await start('ana')).toEqual({ ...first, duplicate: true });
    expect((await start('bob')).investigation_id).not.toBe(first.investigation_id);
    expect(first.investigation_id).not.toBe(deterministicUuid('investigation', 'ana', 'lote-7'));
  });

  it('are the same on another API process of the deployment, which holds the same JWT_SECRET', async () => {
    const body = JSON.stringify({ query: 'contratos de obras' });
    const headers = { ...json, ...bearer('ana'), 'Idempotency-Key': 'lote-8' };
    const here = (await (
      await fetch(`${app.url}/api/v1/investigations`, { method: 'POST', headers, body })
    ).json()) as { investigation_id: string };
    const other = await startEmbeddedApp({ JWT_SECRET: 'queued-investigations-secret-0123456789' }, { workers: false });
    try {
      const there = (await (
        await fetch(`${other.url}/api/v1/investigations`, { method: 'POST', headers, body })
      ).json()) as { investigation_id: string };
      expect(there.investigation_id).toBe(here.investigation_id);
    } finally {
      await other.stop();
    }
  });
});
