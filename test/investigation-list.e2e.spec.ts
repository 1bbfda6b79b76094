import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CHAT_HISTORIES } from '#chat';
import { INVESTIGATION_SUMMARIES } from '#investigations';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';
import { openSse, type SseFrame, type SseSession } from './support/sse-client.js';
import { waitUntil } from './support/wait-until.js';

const SECRET = 'investigation-list-secret-0123456789';
const ENV = { JWT_SECRET: SECRET, RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_PER_MINUTE_IP: '0' };
const USERS = { ana: 'analyst', bob: 'analyst', vera: 'viewer', carol: 'auditor' } as const;
type User = keyof typeof USERS;

interface Item {
  readonly investigation_id: string;
  readonly query: string;
  readonly status: string;
  readonly started_at: string;
  readonly user_id: string;
  readonly anomalies_by_severity: Record<string, number>;
  readonly last_event_id: number;
}
interface Page {
  readonly items: Item[];
  readonly next_cursor: string | null;
  readonly last_event_id: number;
}

class Client {
  private readonly tokens = new Map<User, string>();
  private readonly streams: SseSession[] = [];
  constructor(readonly app: EmbeddedApp) {}

  async auth(user: User): Promise<Record<string, string>> {
    if (!this.tokens.has(user)) this.tokens.set(user, await this.app.token(user, USERS[user]));
    return { Authorization: `Bearer ${this.tokens.get(user)}` };
  }

  async start(user: User, query: string): Promise<string> {
    const res = await fetch(`${this.app.url}/api/v1/investigations`, {
      method: 'POST',
      headers: { ...(await this.auth(user)), 'Content-Type': 'application/json' },
      body: JSON.stringify({ query, data_source: 'synthetic' }),
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as { investigation_id: string }).investigation_id;
  }

  async get(user: User, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${this.app.url}${path}`, { headers: await this.auth(user) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  async page(user: User, query = ''): Promise<Page> {
    const { status, body } = await this.get(user, `/api/v1/investigations${query}`);
    expect(status).toBe(200);
    return body as unknown as Page;
  }

  async finished(user: User, id: string): Promise<void> {
    await waitUntil(
      async () =>
        (await this.get(user, `/api/v1/investigations/${id}`)).body.status === 'completed' ? true : undefined,
      `investigation ${id} completed`,
      30_000,
    );
  }

  async stream(user: User, headers: Record<string, string> = {}, query = ''): Promise<SseSession> {
    const session = await openSse(`${this.app.url}/api/v1/investigations/stream${query}`, {
      headers: { ...(await this.auth(user)), ...headers },
    });
    this.streams.push(session);
    return session;
  }

  closeStreams(): void {
    for (const stream of this.streams.splice(0)) stream.close();
  }
}

const idsOf = (page: Page) => page.items.map((item) => item.investigation_id);
const framesFor = (frames: SseFrame[], id: string) => frames.filter((f) => f.data.investigation_id === id);
/** Resolves with the frames received so far once one says `id` is completed. */
const untilCompleted = async (stream: SseSession, id: string): Promise<SseFrame[]> =>
  waitUntil(
    async () => {
      const frames = await stream.waitFor(0);
      return framesFor(frames, id).some((f) => f.data.status === 'completed') ? frames : undefined;
    },
    `a completed summary of ${id} on the list stream`,
    30_000,
  );

describe('the investigations list (embedded)', () => {
  let app: EmbeddedApp;
  let client: Client;
  const ids: Record<'health' | 'school' | 'roads', string> = { health: '', school: '', roads: '' };

  beforeAll(async () => {
    app = await startEmbeddedApp(ENV);
    client = new Client(app);
    ids.health = await client.start('ana', 'Contratos de saúde em 2024');
    ids.school = await client.start('ana', 'Merenda escolar superfaturada');
    ids.roads = await client.start('bob', 'Obras de pavimentação');
    await Promise.all([
      client.finished('ana', ids.health),
      client.finished('ana', ids.school),
      client.finished('bob', ids.roads),
    ]);
  });
  afterAll(async () => {
    client?.closeStreams();
    await app?.stop();
  });

  it('shows analysts and viewers their own, newest first, and auditors everyone', async () => {
    const ana = await client.page('ana');
    expect(new Set(idsOf(ana))).toEqual(new Set([ids.health, ids.school]));
    const started = ana.items.map((item) => item.started_at);
    expect(started).toEqual([...started].sort().reverse());
    expect(idsOf(await client.page('ana', `?owner=bob`))).toEqual(idsOf(ana));
    expect((await client.page('vera')).items).toEqual([]);
    const all = await client.page('carol', '?limit=100');
    expect(idsOf(all)).toEqual(expect.arrayContaining(Object.values(ids)));
    expect(idsOf(await client.page('carol', '?owner=bob'))).toEqual([ids.roads]);
  });

  it('counts the anomalies each investigation recorded, by severity', async () => {
    const [item] = (await client.page('carol', '?owner=bob')).items;
    const { body } = await client.get('bob', `/api/v1/investigations/${ids.roads}/events`);
    const recorded = (body.events as Array<{ type: string; data: { anomaly: { severity: string } } }>).filter(
      (event) => event.type === 'AnomalyDetected',
    );
    const expected = { low: 0, medium: 0, high: 0, critical: 0 } as Record<string, number>;
    for (const event of recorded)
      expected[event.data.anomaly.severity] = (expected[event.data.anomaly.severity] ?? 0) + 1;
    expect(item).toMatchObject({ status: 'completed', user_id: 'bob', anomalies_by_severity: expected });
  });

  it('filters by status, text and time, and pages with an opaque cursor', async () => {
    expect(idsOf(await client.page('carol', '?q=MERENDA'))).toEqual([ids.school]);
    expect(idsOf(await client.page('ana', '?status=running'))).toEqual([]);
    expect(new Set(idsOf(await client.page('ana', '?status=completed')))).toEqual(new Set([ids.health, ids.school]));
    expect(idsOf(await client.page('carol', '?since=2999-01-01'))).toEqual([]);
    expect(idsOf(await client.page('carol', '?until=2000-01-01T00:00:00Z'))).toEqual([]);
    const whole = idsOf(await client.page('carol', '?limit=100'));
    const paged: string[] = [];
    for (let cursor: string | null = ''; cursor !== null;) {
      const page: Page = await client.page('carol', `?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(1);
      paged.push(...idsOf(page));
      cursor = page.next_cursor;
    }
    expect(paged).toEqual(whole);
  });

  it.each([
    ['?limit=0'],
    ['?limit=abc'],
    ['?status=bogus'],
    ['?cursor=not-a-cursor'],
    ['?since=yesterday'],
    ['?since=2026-02-01&until=2026-01-01'],
    ['?colour=red'],
    ['?status=running&status=completed'],
  ])('refuses %s with 400 VALIDATION_ERROR', async (query) => {
    const { status, body } = await client.get('carol', `/api/v1/investigations${query}`);
    expect({ status, code: body.error_code }).toEqual({ status: 400, code: 'VALIDATION_ERROR' });
  });

  it('says that a parameter was given twice, where its two values would have been called the wrong type', async () => {
    const listed = await client.get('carol', '/api/v1/investigations?limit=10&limit=20&q=a&q=b');
    expect([listed.status, listed.body.message, listed.body.details]).toEqual([
      400,
      'invalid query: limit: given more than once; give it once; q: given more than once; give it once',
      [
        { field: 'limit', message: 'given more than once; give it once' },
        { field: 'q', message: 'given more than once; give it once' },
      ],
    ]);
    const id = await client.start('ana', 'Merenda escolar');
    const stream = await client.get('ana', `/api/v1/investigations/stream/${id}?last_event_id=1&last_event_id=2`);
    expect([stream.status, stream.body.message]).toEqual([
      400,
      'invalid last_event_id: last_event_id: given more than once; give it once',
    ]);
  });

  it('streams each change of a visible summary, and none of the others', async () => {
    const ana = await client.stream('ana');
    const bob = await client.stream('bob');
    const carol = await client.stream('carol');
    const mine = await client.start('ana', 'Compras emergenciais sem licitação');
    const theirs = await client.start('bob', 'Aluguel de veículos');
    const anaFrames = await untilCompleted(ana, mine);
    const bobFrames = await untilCompleted(bob, theirs);
    await untilCompleted(carol, mine);
    await untilCompleted(carol, theirs);
    expect(anaFrames.every((f) => f.data.user_id === 'ana' && f.data.type === 'investigation_summary')).toBe(true);
    expect(framesFor(bobFrames, mine)).toEqual([]);
    const ids = anaFrames.map((f) => Number(f.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('resumes after Last-Event-ID, or after the position a list page gave', async () => {
    const live = await client.stream('ana');
    const id = await client.start('ana', 'Diárias de viagem');
    const completed = framesFor(await untilCompleted(live, id), id).at(-1);
    // A client cut off just before the completion gets the summary in its latest state, and nothing older.
    const cutOff = String(Number(completed?.id) - 1);
    const resumed = await client.stream('ana', { 'Last-Event-ID': cutOff });
    const after = await untilCompleted(resumed, id);
    expect(after[0]).toEqual(completed);
    expect(after.every((f) => Number(f.id) > Number(cutOff))).toBe(true);
    const page = await client.page('ana');
    const id2 = await client.start('ana', 'Passagens aéreas');
    const fromPage = await client.stream('ana', {}, `?last_event_id=${page.last_event_id}`);
    await untilCompleted(fromPage, id2);
    const refused = await fetch(`${app.url}/api/v1/investigations/stream`, {
      headers: { ...(await client.auth('ana')), 'Last-Event-ID': 'x' },
    });
    expect(refused.status).toBe(400);
  });

  it('answers GET right after POST, and reports no lag once projected', async () => {
    const id = await client.start('ana', 'Contratos de limpeza urbana');
    expect((await client.get('ana', `/api/v1/investigations/${id}`)).status).toBe(200);
    await client.finished('ana', id);
    const metric = new RegExp(`^projection_lag_events\\{projection="${INVESTIGATION_SUMMARIES}"\\} 0$`, 'm');
    await waitUntil(
      async () => (metric.test(await (await fetch(`${app.url}/metrics`)).text()) ? true : undefined),
      'no lag',
    );
  });

  it('answers an investigation and a chat history from their read models once caught up', async () => {
    const { readModels } = app.runtime;
    /** Rewrites a stored document in place, as only the projector would: what a GET shows then comes from it. */
    const rewrite = (projection: string, collection: string, id: string, change: (doc: never) => unknown) =>
      waitUntil(async () => {
        const stored = await readModels.get<never>(collection, id);
        const position = (await readModels.checkpoint(projection))?.position ?? 0;
        if (!stored) return undefined;
        const writes = [{ ...stored, doc: change(stored.doc) }];
        return (await readModels.commit({ projection, version: 1, from: position, to: position, writes })) || undefined;
      }, `a rewritten ${collection} document`);
    await rewrite(INVESTIGATION_SUMMARIES, INVESTIGATION_SUMMARIES, ids.roads, (doc: object) => ({
      ...doc,
      query: 'from the read model',
    }));
    expect((await client.get('bob', `/api/v1/investigations/${ids.roads}`)).body.query).toBe('from the read model');

    const sent = await fetch(`${app.url}/api/v1/chat/message`, {
      method: 'POST',
      headers: { ...(await client.auth('ana')), 'Content-Type': 'application/json' },
      body: JSON.stringify({ message: 'Olá, tudo bem?' }),
    });
    const { session_id: session } = (await sent.json()) as { session_id: string };
    const history = `/api/v1/chat/sessions/${session}`;
    await waitUntil(
      async () => ((await client.get('ana', history)).body.messages as unknown[]).length === 2 || undefined,
      'the answered message in the history',
    );
    await rewrite(CHAT_HISTORIES, CHAT_HISTORIES, session, (doc: { history: object }) => ({
      ...doc,
      history: { ...doc.history, created_at: 'from the read model' },
    }));
    expect((await client.get('ana', history)).body.created_at).toBe('from the read model');
    expect((await client.get('bob', history)).status).toBe(404);
    expect((await client.get('carol', history)).status).toBe(200);
  });

  it('is rebuilt from the store by npm run projections:rebuild', async () => {
    const before = await client.page('carol', '?limit=100');
    await app.runtime.readModels.reset(INVESTIGATION_SUMMARIES, [INVESTIGATION_SUMMARIES]);
    expect((await client.page('carol')).items).toEqual([]);
    const { stdout } = await promisify(execFile)(
      'node',
      ['dist/scripts/projections-rebuild.js', INVESTIGATION_SUMMARIES],
      {
        env: { ...process.env, DATA_DIR: app.runtime.settings.storage.dataDir, LOG_LEVEL: 'error' },
      },
    );
    expect(stdout).toMatch(new RegExp(`^${INVESTIGATION_SUMMARIES}: rebuilt from sqlite up to position \\d+`));
    const after = await client.page('carol', '?limit=100');
    // What the store says, including where a read model was rewritten by hand (see above).
    const truth = (item: Item) =>
      item.investigation_id === ids.roads ? { ...item, query: 'Obras de pavimentação' } : item;
    expect(after.items).toEqual(before.items.map(truth));
  });
});

describe('the investigations list across a restart (embedded)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'investigation-list-restart-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('resumes from its checkpoint without counting anything twice', async () => {
    const first = await startEmbeddedApp({ ...ENV, DATA_DIR: dataDir });
    let before: Page;
    let id: string;
    try {
      const client = new Client(first);
      id = await client.start('ana', 'Contratos de saúde em 2024');
      await client.finished('ana', id);
      before = await client.page('ana');
    } finally {
      await first.stop();
    }
    const second = await startEmbeddedApp({ ...ENV, DATA_DIR: dataDir });
    try {
      const client = new Client(second);
      const next = await client.start('ana', 'Merenda escolar');
      await client.finished('ana', next);
      const after = await client.page('ana');
      expect(idsOf(after)).toEqual(expect.arrayContaining([id, next]));
      expect(after.items.find((item) => item.investigation_id === id)).toEqual(before.items[0]);
      const head = await second.runtime.store.headPosition();
      await waitUntil(
        async () =>
          (await second.runtime.readModels.checkpoint(INVESTIGATION_SUMMARIES))?.position === head ? true : undefined,
        'the checkpoint at the head',
      );
    } finally {
      await second.stop();
    }
  });
});
