import type { Provider } from '@nestjs/common';
import { EventsStreamController } from '../events/events-stream.controller.js';
import { InvestigationHistoryController } from '../investigations/investigation-history.controller.js';
import { AuditController } from './audit.controller.js';
import { AuditMetrics } from './audit-metrics.js';
import { AuditRecorder } from './audit-recorder.js';

export const auditControllers = [AuditController, InvestigationHistoryController, EventsStreamController];
/** AuditRecorder is also what the guards and the WebSocket upgrade paths record through. */
export const auditProviders: Provider[] = [AuditRecorder, AuditMetrics];
