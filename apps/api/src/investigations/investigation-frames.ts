import type { HubProjection } from '#eventsourcing';
import {
  FINAL_WIRE_TYPES,
  TERMINAL_EVENT_TYPES,
  investigationEventCatalog,
  toInvestigationWireEvent,
  type InvestigationWireEvent,
} from '#investigations';
import { WireFrame, type WsMessage } from '../streaming/wire-frame.js';

/** The investigation's last wire event: a stream ends after it. */
export const isFinalFrame = (frame: WireFrame): boolean => FINAL_WIRE_TYPES.has(frame.data.type);

/**
 * The SSE data as a WebSocket message: the same fields, plus `id` (the resume point), and
 * on anomalies an `anomaly` object, which the seed's JavaScript client reads (`update.anomaly`).
 */
export function investigationWsMessage(id: number, data: InvestigationWireEvent): WsMessage {
  if (data.type !== 'anomaly') return { id, ...data };
  const { anomaly_id, anomaly_type, severity, contract_id, details } = data;
  return { id, ...data, anomaly: { anomaly_id, anomaly_type, severity, contract_id, details } };
}

/**
 * An investigation stream's events as the seed's wire events, made once per event for every
 * subscriber, read through the slice's catalog (checked, older versions upcast).
 */
export const investigationProjection: HubProjection<WireFrame<InvestigationWireEvent>> = {
  frame: (event) => {
    const data = toInvestigationWireEvent(investigationEventCatalog.decode(event));
    return data === null ? null : new WireFrame(event.revision, data, investigationWsMessage);
  },
  isEnd: (event) => TERMINAL_EVENT_TYPES.has(event.type),
};
