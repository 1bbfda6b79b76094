import { z } from 'zod';
import { SEVERITIES, type AuditFilter } from '#audit';
import { parseQueryOr400 } from '../http/zod-body.js';

export const EXPORT_FORMATS = ['csv', 'json', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** An ISO date or date-time, normalised to the UTC ISO string the log stores. */
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/, 'must be an ISO-8601 date or date-time')
  .refine((value) => !Number.isNaN(Date.parse(value)), 'is not a valid date')
  .transform((value) => new Date(value).toISOString());

/** A bare end date covers that whole day. */
const endOfDay = (raw: string | undefined, parsed: string | undefined): string | undefined =>
  parsed !== undefined && raw !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(raw)
    ? new Date(Date.parse(parsed) + 86_400_000 - 1).toISOString()
    : parsed;

const exportQuerySchema = z
  .object({
    start_date: isoDate.optional(),
    end_date: isoDate.optional(),
    severity: z.enum(SEVERITIES, { message: `must be one of ${SEVERITIES.join(', ')}` }).optional(),
    event_type: z
      .string()
      .regex(/^[a-z_]+(\.[a-z_]*)*$/, 'must be a dotted event type or prefix such as auth. or auth.login_failed')
      .optional(),
    user_id: z.string().min(1).max(256).optional(),
    format: z.enum(EXPORT_FORMATS, { message: `must be one of ${EXPORT_FORMATS.join(', ')}` }).default('csv'),
  })
  .strict();

export interface ExportQuery {
  readonly filter: AuditFilter;
  readonly format: ExportFormat;
}

/** 400 naming the parameter for a bad date, an unknown value or an unknown parameter. */
export function parseExportQuery(query: Record<string, unknown>): ExportQuery {
  const parsed = parseQueryOr400(exportQuerySchema, query);
  const endDate = endOfDay(typeof query.end_date === 'string' ? query.end_date : undefined, parsed.end_date);
  const filter: AuditFilter = {
    ...(parsed.start_date === undefined ? {} : { startDate: parsed.start_date }),
    ...(endDate === undefined ? {} : { endDate }),
    ...(parsed.severity === undefined ? {} : { severity: parsed.severity }),
    ...(parsed.event_type === undefined ? {} : { eventType: parsed.event_type }),
    ...(parsed.user_id === undefined ? {} : { userId: parsed.user_id }),
  };
  return { filter, format: parsed.format };
}
