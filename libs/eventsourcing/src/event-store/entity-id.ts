import { z } from 'zod';

/** The id of an investigation, a chat session or any other aggregate: what follows `<category>-` in its stream id. */
export const ENTITY_ID_CHARS = '[A-Za-z0-9_-]{1,128}';
export const ENTITY_ID = new RegExp(`^${ENTITY_ID_CHARS}$`);

/** An aggregate id as clients send it, with the one message every route gives for a bad one. */
export const entityIdSchema = z.string().regex(ENTITY_ID, 'must be 1-128 characters of letters, digits, _ and -');
