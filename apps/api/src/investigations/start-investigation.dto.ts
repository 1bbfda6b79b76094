import { entityIdSchema } from '#eventsourcing';
import { z } from 'zod';
import { ANOMALY_TYPES } from '#analysis';

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine(
    (v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v),
    'is not a calendar date',
  );
const money = z.number({ message: 'must be a number' }).finite().nonnegative('must not be negative');

export const DATA_SOURCES = ['contracts', 'synthetic', 'portal_transparencia'] as const;

export const investigationFiltersSchema = z
  .strictObject({
    orgao: z.string().regex(/^\d{5}$/, 'must be a 5-digit SIAFI code such as 36000'),
    start_date: isoDate,
    end_date: isoDate,
    min_value: money,
    max_value: money,
    cnpj: z
      .string()
      .regex(/^(\d{14}|\d{2}\.\d{3}\.\d{3}\/\d{4}-\d{2})$/, 'must be 14 digits, with or without punctuation'),
  })
  .partial()
  .refine((f) => !(f.start_date && f.end_date) || f.start_date <= f.end_date, {
    message: 'start_date must not be after end_date',
    path: ['start_date'],
  })
  .refine((f) => f.min_value === undefined || f.max_value === undefined || f.min_value <= f.max_value, {
    message: 'min_value must not exceed max_value',
    path: ['min_value'],
  });

/** Body of POST /api/v1/investigations. Unknown fields are refused, not ignored. */
export const startInvestigationSchema = z.strictObject({
  query: z
    .string({ message: 'is required and must be text' })
    .trim()
    .min(3, 'must have at least 3 characters')
    .max(1000, 'must have at most 1000 characters'),
  data_source: z.enum(DATA_SOURCES, { message: `must be one of ${DATA_SOURCES.join(', ')}` }).default('contracts'),
  filters: investigationFiltersSchema.default({}),
  anomaly_types: z
    .array(z.enum(ANOMALY_TYPES, { message: `must be one of ${ANOMALY_TYPES.join(', ')}` }))
    .max(ANOMALY_TYPES.length)
    .default([]),
});
export type StartInvestigationBody = z.output<typeof startInvestigationSchema>;

export const cancelInvestigationSchema = z
  .strictObject({ reason: z.string().trim().min(1).max(500).optional() })
  .default({});

export const idempotencyKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,200}$/, 'must be 1-200 characters of letters, digits, _ . : -');
export const investigationIdSchema = entityIdSchema;
export { eventIdSchema as lastEventIdSchema } from '#platform';
