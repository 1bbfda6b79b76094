import type { CloudEvent, InvestigationWireEvent } from '@cidadao-ai/client';
import type { Severity } from '../investigation/investigation-model';
import type { RowChange } from './list-row';

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
