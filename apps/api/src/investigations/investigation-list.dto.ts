import { z } from 'zod';
import type { DocumentCursor } from '#eventsourcing';

import { INVESTIGATION_STATUSES as STATUSES, RECORDED_STATUSES } from '#investigations';

/** A date (midnight UTC) or an instant with its offset, compared as UTC. */
const instant = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], {
    message: 'must be a date YYYY-MM-DD or an ISO-8601 date-time with offset',
  })
  .transform((value) => new Date(value).toISOString());

const cursorSchema = z.tuple([z.string(), z.string()]);

/** The opaque cursor of the next page: the last item's (start, id), base64url JSON. */
export const encodeCursor = (cursor: DocumentCursor): string =>
  Buffer.from(JSON.stringify([cursor.sortAt, cursor.id])).toString('base64url');

function decodeCursor(value: string, ctx: z.RefinementCtx): DocumentCursor | undefined {
  try {
    const [sortAt, id] = cursorSchema.parse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
    return { sortAt, id };
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not a cursor this server handed out' });
    return z.NEVER;
  }
}

/**
 * A queued investigation (its command accepted, no event yet) has no summary to list: the
 * list is a projection of events, and the bus answers for one id, not for all of them.
 */
const QUEUED_NOT_LISTED =
  'queued investigations are not listed (the list holds investigations from their first event); ' +
  'GET /api/v1/investigations/{id} answers one that is still queued';

/** Query of GET /api/v1/investigations. Unknown parameters are refused, not ignored. */
export const listInvestigationsSchema = z
  .strictObject({
    status: z
      .enum(STATUSES, { message: `must be one of ${RECORDED_STATUSES.join(', ')}` })
      .refine((status) => status !== 'queued', { message: QUEUED_NOT_LISTED })
      .optional(),
    owner: z.string().min(1).max(200).optional(),
    since: instant.optional(),
    until: instant.optional(),
    q: z.string().trim().min(1, 'must not be empty').max(200).optional(),
    limit: z.coerce.number().int('must be an integer').min(1).max(100).default(20),
    cursor: z.string().max(1000).transform(decodeCursor).optional(),
  })
  .refine((query) => !(query.since && query.until) || query.since < query.until, {
    message: 'since must be before until',
    path: ['since'],
  });
export type ListInvestigationsQuery = z.output<typeof listInvestigationsSchema>;

/** Query of GET /api/v1/investigations/stream: who to follow (auditors and admins) and where to resume. */
export const investigationChangesSchema = z.strictObject({
  owner: z.string().min(1).max(200).optional(),
  last_event_id: z.string().optional(),
});
