import type { InvestigationFilters } from '#analysis';
import type { CloudEvent } from '#audit';
import type { InvestigationSummary, InvestigationWireEvent } from '#investigations';

/** The server's own wire types, re-exported so a client and the server cannot disagree. */
export type { CloudEvent, InvestigationFilters, InvestigationSummary, InvestigationWireEvent };

export type DataSource = 'contracts' | 'synthetic' | 'portal_transparencia';

/** Body of POST /api/v1/investigations. */
export interface StartInvestigationRequest {
  readonly query: string;
  readonly data_source?: DataSource;
  readonly filters?: InvestigationFilters;
  readonly anomaly_types?: readonly string[];
}

/** 202 of POST /api/v1/investigations. */
export interface StartedInvestigation {
  readonly investigation_id: string;
  readonly status: string;
  readonly command_id: string;
  readonly duplicate: boolean;
  readonly stream_url: string;
  readonly status_url: string;
  readonly cancel_url: string;
}

/** Query of GET /api/v1/events/stream. */
export interface EventFeedQuery {
  readonly categories?: readonly string[];
  readonly types?: readonly string[];
}

export interface AuditExportQuery {
  readonly start_date?: string;
  readonly end_date?: string;
  readonly severity?: 'low' | 'medium' | 'high' | 'critical';
  readonly event_type?: string;
  readonly user_id?: string;
}

/** One record of GET /api/v1/audit/export?format=ndjson. */
export interface AuditExportRecord {
  readonly seq: number;
  readonly timestamp: string;
  readonly event_type: string;
  readonly severity: string;
  readonly user_id: string | null;
  readonly ip: string | null;
  readonly user_agent: string | null;
  readonly request_id: string | null;
  readonly correlation_id: string | null;
  readonly resource_type: string | null;
  readonly resource_id: string | null;
  readonly success: boolean;
  readonly error_code: string | null;
  readonly message: string;
  readonly prev_hash: string;
  readonly hash: string;
}
