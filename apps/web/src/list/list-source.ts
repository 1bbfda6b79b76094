import type { CloudEvent, InvestigationWireEvent, StreamMessage, StreamOptions } from '@cidadao-ai/client';
import { api } from '../api';
import type { Severity } from '../investigation/investigation-model';
import type { RowChange } from './list-row';
import { merge } from './merge';

/**
 * Where the investigations list comes from. Today: the event feed for those who may read it
 * (auditors, admins), else the investigations started in this browser. The list endpoint
 * (GET /api/v1/investigations + its stream) replaces both here, and nowhere else.
 */
export interface ListSource {
  readonly kind: 'feed' | 'local';
  open(options: StreamOptions): AsyncIterable<StreamMessage<RowChange>>;
}

const LOCAL_KEY = 'cidadao.investigations';

export function rememberInvestigation(id: string): void {
  const ids = localIds().filter((known) => known !== id);
  localStorage.setItem(LOCAL_KEY, JSON.stringify([id, ...ids].slice(0, 50)));
}

function localIds(): string[] {
  try {
    const ids: unknown = JSON.parse(localStorage.getItem(LOCAL_KEY) ?? '[]');
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

type Data = Record<string, unknown>;
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/** A stored investigation event from the feed as a change of its row. */
export function changeOfCloudEvent(event: CloudEvent): RowChange | null {
  if (!event.subject.startsWith('investigation-')) return null;
  const id = event.subject.slice('investigation-'.length);
  const data = (event.data ?? {}) as Data;
  switch (event.type.slice(event.type.lastIndexOf('.') + 1)) {
    case 'InvestigationStarted':
      return {
        id,
        set: {
          query: str(data.query) ?? '',
          status: 'running',
          owner: event.userid,
          startedAt: str(data.startedAt) ?? event.time,
        },
      };
    case 'PhaseStarted':
      return { id, set: { phase: str(data.phase) ?? null } };
    case 'ProgressReported':
      return { id, set: { progress: num(data.progress) ?? 0, phase: str(data.currentPhase) ?? null } };
    case 'AnomalyDetected':
      return { id, anomaly: ((data.anomaly ?? {}) as Data).severity as Severity };
    case 'InvestigationCompleted':
      return { id, set: { status: 'completed', progress: 100 } };
    case 'InvestigationFailed':
      return { id, set: { status: 'failed' } };
    case 'InvestigationCancelled':
      return { id, set: { status: 'cancelled' } };
    default:
      return null;
  }
}

/** A wire event of one investigation's stream as a change of its row. */
export function changeOfWireEvent(id: string, event: InvestigationWireEvent): RowChange | null {
  switch (event.type) {
    case 'progress':
      return { id, set: { status: 'running', progress: event.progress, phase: event.current_phase } };
    case 'phase':
      return { id, set: { phase: event.phase } };
    case 'anomaly':
      return { id, anomaly: event.severity };
    case 'complete':
      return { id, set: { status: 'completed', progress: 100 } };
    case 'error':
      return event.investigation_id ? { id, set: { status: 'failed' } } : null;
    case 'cancelled':
      return { id, set: { status: 'cancelled' } };
    default:
      return null;
  }
}

async function* feedChanges(options: StreamOptions): AsyncGenerator<StreamMessage<RowChange>> {
  for await (const { id, message } of api().events({ categories: ['investigation'] }, options)) {
    const change = changeOfCloudEvent(message);
    if (change) yield { id, message: change };
  }
}

async function* oneInvestigation(id: string, options: StreamOptions): AsyncGenerator<StreamMessage<RowChange>> {
  const summary = await api()
    .getInvestigation(id, options.signal)
    .catch(() => null);
  if (!summary) return; // gone, someone else's, or still queued: nothing to list yet
  const set = { query: summary.query, owner: summary.user_id, startedAt: summary.started_at, status: summary.status };
  yield { id: undefined, message: { id, set } };
  for await (const { id: eventId, message } of api().investigationEvents(id, options)) {
    const change = changeOfWireEvent(id, message);
    if (change) yield { id: eventId, message: change };
  }
}

async function* localChanges(options: StreamOptions): AsyncGenerator<StreamMessage<RowChange>> {
  yield* merge(localIds().map((id) => oneInvestigation(id, options)));
}

export function listSource(mayReadFeed: boolean): ListSource {
  return mayReadFeed ? { kind: 'feed', open: feedChanges } : { kind: 'local', open: localChanges };
}
