import type { HubProjection, RecordedEvent, Stored } from '#eventsourcing';
import {
  TERMINAL_EVENT_TYPES,
  toInvestigationWireEvent,
  type InvestigationEvent,
  type InvestigationEventType,
  type InvestigationWireEvent,
} from '#investigations';
import { WireFrame } from '../streaming/wire-frame.js';

const KNOWN: Record<InvestigationEventType, true> = {
  InvestigationStarted: true,
  InvestigationPlanned: true,
  PhaseStarted: true,
  ProgressReported: true,
  AnomalyDetected: true,
  TrendsAnalyzed: true,
  ReportDrafted: true,
  InvestigationCompleted: true,
  InvestigationFailed: true,
  InvestigationCancelled: true,
};

/** A stored event of an investigation stream, told by its type; other types have no wire form. */
function isInvestigationEvent(event: RecordedEvent): event is RecordedEvent & Stored<InvestigationEvent> {
  return Object.hasOwn(KNOWN, event.type);
}

/** An investigation stream's events as the seed's wire events, made once per event for every subscriber. */
export const investigationProjection: HubProjection<WireFrame<InvestigationWireEvent>> = {
  frame: (event) => {
    const data = isInvestigationEvent(event) ? toInvestigationWireEvent(event) : null;
    return data === null ? null : new WireFrame(event.revision, data);
  },
  isEnd: (event) => TERMINAL_EVENT_TYPES.has(event.type),
};
