import { expect } from '@jest/globals';
import { setTimeout as pause } from 'node:timers/promises';
import type { Stored } from '#eventsourcing';
import { toInvestigationWireEvent, type InvestigationEvent } from '#investigations';
import type { ChaosDeployment } from './chaos-deployment.js';
import {
  chatOverSse,
  followIo,
  followSse,
  followWs,
  type Chat,
  type Followed,
  type Received,
} from './chaos-clients.js';
import { openSse } from './sse-client.js';
import { waitUntil } from './wait-until.js';

const TRANSPORTS = { sse: followSse, ws: followWs, io: followIo } as const;
type Transport = keyof typeof TRANSPORTS;

export interface Workload {
  readonly investigations: readonly string[];
  /** Every investigation watched on every transport. */
  readonly watchers: ReadonlyArray<{
    readonly id: string;
    readonly transport: Transport;
    readonly followed: Promise<Followed>;
  }>;
  readonly chats: ReadonlyArray<Promise<Chat>>;
  /** Investigations the API refused (503) while starting them: never counted as accepted. */
  refusedStarts: number;
}

interface HistoryItem {
  readonly id: number;
  readonly position: number;
  readonly stream_id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: Stored<InvestigationEvent>['metadata'];
}

/** A chat message that starts an investigation and follows it to the end: a long answer. */
const INVESTIGATE = 'Quero investigar os contratos da saúde';

/**
 * Starts investigations (accepted only on 202) and chats, and watches every investigation
 * over SSE, the raw WebSocket and Socket.IO.
 */
export async function startWorkload(
  deployment: ChaosDeployment,
  token: string,
  signal: AbortSignal,
  investigations = 3,
  chats = 2,
): Promise<Workload> {
  const workload: Workload = { investigations: [], watchers: [], chats: [], refusedStarts: 0 };
  const ids = workload.investigations as string[];
  for (let i = 0; i < investigations; i++) ids.push(await startInvestigation(deployment.url, token, i, workload));
  const watchers = workload.watchers as Array<Workload['watchers'][number]>;
  for (const id of ids) {
    for (const transport of Object.keys(TRANSPORTS) as Transport[])
      watchers.push({ id, transport, followed: TRANSPORTS[transport](deployment.url, id, token, signal) });
  }
  (workload.chats as Array<Promise<Chat>>).push(
    ...Array.from({ length: chats }, () => chatOverSse(deployment.url, token, INVESTIGATE, signal)),
  );
  return workload;
}

async function startInvestigation(url: string, token: string, index: number, workload: Workload): Promise<string> {
  for (;;) {
    const res = await fetch(`${url}/api/v1/investigations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: `Análise geral de contratos, lote ${index}`, data_source: 'synthetic' }),
    }).catch(() => null);
    if (res?.status === 202) return ((await res.json()) as { investigation_id: string }).investigation_id;
    workload.refusedStarts++;
    await pause(150);
  }
}

/**
 * Stored events of an investigation, over the API (GET /api/v1/investigations/{id}/events).
 * A request that meets a fault gets 503 (or no answer while the API restarts): asked again, as a client would.
 */
export function historyOf(url: string, token: string, id: string): Promise<HistoryItem[]> {
  return waitUntil(async () => {
    const res = await fetch(`${url}/api/v1/investigations/${id}/events`, {
      headers: { Authorization: `Bearer ${token}` },
    }).catch(() => null);
    if (res?.status === 503 || res === null) return undefined;
    expect(res.status).toBe(200);
    return ((await res.json()) as { events: HistoryItem[] }).events;
  }, `the history of ${id}`);
}

/** Waits until every investigation has analysed a page and none has ended: the fault lands mid-run. */
export async function waitUntilMidRun(deployment: ChaosDeployment, token: string, workload: Workload): Promise<void> {
  const pagesOf = async (id: string): Promise<{ pages: number; ended: boolean }> => {
    const history = await historyOf(deployment.url, token, id);
    return {
      pages: history.filter((e) => e.type === 'ProgressReported' && (e.data as { page: number }).page > 0).length,
      ended: history.some((e) => e.type === 'InvestigationCompleted' || e.type === 'InvestigationFailed'),
    };
  };
  const states = await waitUntil(async () => {
    const all = await Promise.all(workload.investigations.map(pagesOf));
    return all.every((s) => s.pages > 0) ? all : undefined;
  }, 'every investigation to be under way');
  expect(states.filter((s) => s.ended)).toEqual([]);
}

/** What a client following `id` must have received: the history mapped to the wire, in order, each once. */
function expectedStream(history: readonly HistoryItem[]): Received[] {
  const received: Received[] = [];
  for (const item of history) {
    const stored = { ...item, revision: item.id, streamId: item.stream_id } as unknown as Stored<InvestigationEvent>;
    const wire = toInvestigationWireEvent(stored);
    if (wire) received.push({ id: item.id, data: wire as unknown as Record<string, unknown> });
  }
  return received;
}

/**
 * After the fault: every accepted investigation completed, every watcher saw exactly its
 * stream (compared with the stored history), every chat answer completed with every event
 * once and in order, and no process exited on its own.
 */
export async function expectEverythingCompleted(
  deployment: ChaosDeployment,
  token: string,
  workload: Workload,
): Promise<{ reconnects: number; setbacks: string[] }> {
  let reconnects = 0;
  const setbacks: string[] = [];
  await waitUntil(
    async () => {
      deployment.expectAlive();
      const ended = await Promise.all(
        workload.investigations.map(async (id) => (await historyOf(deployment.url, token, id)).at(-1)?.type),
      );
      return ended.every((type) => type === 'InvestigationCompleted' || type === 'InvestigationFailed')
        ? true
        : undefined;
    },
    'every investigation to end',
    60_000,
  );
  for (const id of workload.investigations) {
    const history = await historyOf(deployment.url, token, id);
    expect({ id, last: history.at(-1)?.type }).toEqual({ id, last: 'InvestigationCompleted' });
    const expected = expectedStream(history);
    for (const watcher of workload.watchers.filter((w) => w.id === id)) {
      const followed = await watcher.followed;
      reconnects += followed.reconnects;
      setbacks.push(...followed.setbacks);
      expect({ transport: watcher.transport, events: followed.events }).toEqual({
        transport: watcher.transport,
        events: expected,
      });
    }
  }
  for (const pending of workload.chats) {
    const chat = await pending;
    reconnects += chat.reconnects;
    setbacks.push(...chat.setbacks);
    expect(chat.events.at(-1)?.data.type).toBe('complete');
    const replay = await (
      await openSse(`${deployment.url}/api/v1/chat/sessions/${chat.sessionId}/stream`, {
        headers: { Authorization: `Bearer ${token}` },
      })
    ).done;
    expect(chat.events).toEqual(replay.map((frame) => ({ id: Number(frame.id), data: frame.data })));
  }
  expect(deployment.crashed()).toEqual([]);
  return { reconnects, setbacks };
}
