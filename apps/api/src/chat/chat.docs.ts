import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger';
import { INTENTS } from '#chat';
import { chatEventUnion } from '../docs/wire-event.schemas.js';

const text = (description: string): SchemaObject => ({ type: 'string', description });
const error: SchemaObject = {
  type: 'object',
  required: ['error_code', 'message'],
  properties: {
    error_code: text('EMPTY_MESSAGE, MESSAGE_TOO_LONG, INVALID_MESSAGE, UNKNOWN_AGENT, …'),
    message: text('What is wrong.'),
  },
};
const errors = (...statuses: number[]) =>
  statuses.map((status) => ApiResponse({ status, description: `Error ${status}.`, schema: error }));

const chatRequest: SchemaObject = {
  type: 'object',
  required: ['message'],
  properties: {
    message: {
      type: 'string',
      minLength: 1,
      maxLength: 4000,
      description: 'The question, in Portuguese (CHAT_MAX_MESSAGE_LENGTH characters at most).',
    },
    session_id: text('Continue this conversation (yours only: 404 otherwise); a new session when absent.'),
    agent_id: text('Answer as this agent (GET /api/v1/chat/agents); otherwise chosen by intent.'),
  },
};

const chatEvents: SchemaObject = {
  ...chatEventUnion(),
  description: [
    'SSE, one `id: <revision>` and one `data: <json>` per event, in this order:',
    '`start` (plus `session_token` when the message started a session without a token), `detecting`,',
    `\`intent\` (intent: ${INTENTS.join(', ')}), \`agent_selected\`, \`chunk\`… (joined, the exact answer), \`complete\`;`,
    'or `error`.',
  ].join(' '),
};
const sessionToken = ApiHeader({
  name: 'x-chat-session-token',
  required: false,
  description:
    'The secret of a session started without a token (embedded mode without required auth), as handed out with its id; or `?session_token=`.',
});
const sse = (description: string, schema: SchemaObject = chatEvents) =>
  ApiResponse({ status: 200, description, content: { 'text/event-stream': { schema } } });

export const DocChatStream = () =>
  applyDecorators(
    ApiTags('chat'),
    ApiOperation({
      summary: 'Ask, and stream the answer',
      description:
        "The stream opens once the command bus accepted the message. A token is needed where auth is required (401 otherwise); a session is its creator's.",
    }),
    ApiBody({ schema: chatRequest }),
    sessionToken,
    sse('The seed chat events of this message.'),
    ...errors(400, 401, 403, 404, 429, 503),
  );

export const DocChatMessage = () =>
  applyDecorators(
    ApiTags('chat'),
    ApiOperation({ summary: 'Ask, and get the whole answer as JSON (the stream fallback)' }),
    ApiBody({ schema: chatRequest }),
    sessionToken,
    ApiResponse({
      status: 200,
      description: 'The answer.',
      schema: {
        type: 'object',
        properties: {
          session_id: text('The conversation.'),
          message_id: text('This message.'),
          agent_id: text('Who answered.'),
          agent_name: text('Their name.'),
          message: text('The answer, markdown.'),
          intent: { type: 'string', enum: [...INTENTS] },
          confidence: { type: 'number', minimum: 0, maximum: 1 },
          total_tokens: { type: 'integer' },
          investigation_id: { type: ['string', 'null'], description: 'The investigation the message started.' },
          session_token: text(
            'Only when the message started a session without a token: its secret, to send back as X-Chat-Session-Token.',
          ),
        },
      },
    }),
    ...errors(400, 401, 403, 404, 429, 503),
  );

const sessionId = ApiParam({ name: 'id', description: 'Session id.' });

export const DocChatHistory = () =>
  applyDecorators(
    ApiTags('chat'),
    ApiOperation({
      summary: 'The conversation so far',
      description: 'For its owner, and for holders of chat:read (auditors, admins); 404 for anyone else.',
    }),
    sessionId,
    sessionToken,
    ApiResponse({
      status: 200,
      description: 'Messages, each user turn followed by its answer.',
      schema: { type: 'object', additionalProperties: true },
    }),
    ...errors(400, 401, 404),
  );

export const DocChatResume = () =>
  applyDecorators(
    ApiTags('chat'),
    ApiOperation({
      summary: 'Replay a session, or resume a cut-off answer',
      description: 'Ends once every message received so far has its answer. Same access as the history.',
    }),
    sessionId,
    sessionToken,
    ApiHeader({ name: 'last-event-id', required: false, description: 'Resume after this event id.' }),
    ApiQuery({ name: 'last_event_id', required: false, description: 'Same, for clients that cannot set headers.' }),
    sse('The session events after the resume point.'),
    ApiResponse({ status: 204, description: 'Last-Event-ID is past the end of the last answer: nothing follows.' }),
    ...errors(400, 401, 404, 503),
  );

export const DocChatAgents = () =>
  applyDecorators(
    ApiTags('chat'),
    ApiOperation({ summary: 'The agents and what they do' }),
    ApiResponse({ status: 200, description: 'The registry.', schema: { type: 'object', additionalProperties: true } }),
  );

export const DocMaritacaStream = () =>
  applyDecorators(
    ApiTags('chat'),
    ApiOperation({
      summary: 'Stream a Maritaca completion',
      description: 'Needs MARITACA_API_KEY; without it the stream is one error event.',
    }),
    ApiBody({
      schema: {
        type: 'object',
        required: ['messages'],
        properties: {
          messages: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                role: { type: 'string', enum: ['system', 'user', 'assistant'] },
                content: { type: 'string' },
              },
            },
          },
          stream: { type: 'boolean', default: true, description: 'false: one JSON answer.' },
          model: text('sabia-3.1 (default: MARITACA_MODEL) or sabiazinho-3.'),
          temperature: { type: 'number', minimum: 0, maximum: 2 },
          max_tokens: { type: 'integer', minimum: 1 },
        },
      },
    }),
    sse(
      '`{"type":"token","content"}`…, `{"type":"usage","tokens","cost",…}`, `{"type":"done"}`; or the seed `error` event.',
      { type: 'string' },
    ),
    ...errors(400, 401, 429, 503),
  );
