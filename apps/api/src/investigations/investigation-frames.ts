import type { HubProjection } from '#eventsourcing';
import {
  TERMINAL_EVENT_TYPES,
  investigationEventCatalog,
  toInvestigationWireEvent,
  type InvestigationWireEvent,
} from '#investigations';
import { WireFrame } from '../streaming/wire-frame.js';

/**
 * An investigation stream's events as the seed's wire events, made once per event for every
 * subscriber, read through the slice's catalog (checked, older versions upcast).
 */
export const investigationProjection: HubProjection<WireFrame<InvestigationWireEvent>> = {
  frame: (event) => {
    const data = toInvestigationWireEvent(investigationEventCatalog.decode(event));
    return data === null ? null : new WireFrame(event.revision, data);
  },
  isEnd: (event) => TERMINAL_EVENT_TYPES.has(event.type),
};
