import { categoryReader } from '#eventsourcing';
import { investigationEventCatalog } from './investigation.catalog.js';
import { INVESTIGATION_CATEGORY } from './investigation.events.js';

/** The one place the read models turn a stored event into an investigation event. */
export const readInvestigationEvent = categoryReader(INVESTIGATION_CATEGORY, investigationEventCatalog);
