import { entityIdSchema } from '#eventsourcing';
import { z } from 'zod';
import { AGENTS, isAgentId } from '#chat';
import { ApiError } from '../http/api-error.js';
import { parseOr400 } from '../http/zod-body.js';

export interface ChatRequest {
  readonly message: string;
  readonly sessionId: string | null;
  readonly agentId: string | null;
}

/** Session ids become stream ids and bus subject tokens. */
export const sessionIdSchema = entityIdSchema;

/** C0 controls other than tab, line feed and carriage return, and DEL: binary, not text. */
// eslint-disable-next-line no-control-regex -- finding control characters is what this pattern is for
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const bad = (code: string, message: string): ApiError => new ApiError(400, code, message);

function parseMessage(value: unknown, maxLength: number): string {
  if (value === undefined || value === null)
    throw bad('EMPTY_MESSAGE', 'message is required: send {"message": "sua pergunta"}');
  if (typeof value !== 'string')
    throw bad('INVALID_MESSAGE', `message must be text, got ${Array.isArray(value) ? 'array' : typeof value}`);
  if (value.trim() === '') throw bad('EMPTY_MESSAGE', 'message is empty');
  const length = [...value].length;
  if (length > maxLength) throw bad('MESSAGE_TOO_LONG', `message has ${length} characters; the limit is ${maxLength}`);
  if (CONTROL.test(value) || LONE_SURROGATE.test(value))
    throw bad('INVALID_MESSAGE', 'message must be plain text, without control characters or broken unicode');
  return value;
}

/**
 * Body of POST /chat/stream and /chat/message: `{message, session_id?, agent_id?}`. Other
 * fields are ignored, as the seed's clients may send context the server does not use.
 */
export function parseChatRequest(body: unknown, maxLength: number): ChatRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw bad(
      'INVALID_BODY',
      'the body must be a JSON object such as {"message": "Olá"}, sent with Content-Type: application/json',
    );
  }
  const fields = body as Record<string, unknown>;
  const message = parseMessage(fields.message, maxLength);
  const sessionId =
    fields.session_id === undefined || fields.session_id === null
      ? null
      : parseOr400(sessionIdSchema, fields.session_id, 'session_id');
  const agentId = fields.agent_id === undefined || fields.agent_id === null ? null : fields.agent_id;
  if (agentId !== null && (typeof agentId !== 'string' || !isAgentId(agentId))) {
    throw bad('UNKNOWN_AGENT', `agent_id must be one of ${AGENTS.map((a) => a.id).join(', ')}`);
  }
  return { message, sessionId, agentId };
}

/** Body of POST /chat/direct/maritaca/stream, in the OpenAI chat-completions shape. */
export const directChatSchema = z.object({
  messages: z
    .array(
      z.strictObject({
        role: z.enum(['system', 'user', 'assistant'], { message: 'must be system, user or assistant' }),
        content: z.string({ message: 'must be text' }).min(1, 'must not be empty').max(32000),
      }),
      { message: 'must be a list of {role, content}' },
    )
    .min(1, 'must hold at least one message')
    .max(200),
  stream: z.boolean({ message: 'must be true or false' }).default(true),
  model: z.string().min(1).max(100).optional(),
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().min(1).max(32768).optional(),
});
export type DirectChatBody = z.output<typeof directChatSchema>;
