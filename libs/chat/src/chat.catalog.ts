import { z } from 'zod';
import { EventCatalog, defineEvent } from '#eventsourcing';
import { RESPONSE_SOURCES, type ChatEvent } from './chat.events.js';
import { INTENTS } from './intent/intent.model.js';

const owner = z.object({ userId: z.string(), tokenHash: z.string().nullable() });

/** The chat session stream's events and their versions (docs/events.md): all at version 1. */
export const chatEventCatalog = new EventCatalog<ChatEvent>('chat', {
  MessageReceived: defineEvent(
    'MessageReceived',
    z.object({
      sessionId: z.string(),
      messageId: z.string(),
      content: z.string(),
      requestedAgentId: z.string().nullable(),
      receivedAt: z.string(),
      owner: owner.optional(),
    }),
  ),
  IntentDetectionStarted: defineEvent('IntentDetectionStarted', z.object({ messageId: z.string(), at: z.string() })),
  IntentDetected: defineEvent(
    'IntentDetected',
    z.object({ messageId: z.string(), intent: z.enum(INTENTS), confidence: z.number(), at: z.string() }),
  ),
  AgentSelected: defineEvent(
    'AgentSelected',
    z.object({
      messageId: z.string(),
      agentId: z.string(),
      agentName: z.string(),
      reason: z.enum(['requested', 'intent']),
      at: z.string(),
    }),
  ),
  InvestigationLinked: defineEvent(
    'InvestigationLinked',
    z.object({ messageId: z.string(), investigationId: z.string(), at: z.string() }),
  ),
  ResponseChunkGenerated: defineEvent(
    'ResponseChunkGenerated',
    z.object({
      messageId: z.string(),
      seq: z.number(),
      content: z.string(),
      followedRevision: z.number().optional(),
      at: z.string(),
    }),
  ),
  ResponseCompleted: defineEvent(
    'ResponseCompleted',
    z.object({
      messageId: z.string(),
      totalTokens: z.number(),
      source: z.enum(RESPONSE_SOURCES),
      at: z.string(),
    }),
  ),
  ResponseFailed: defineEvent(
    'ResponseFailed',
    z.object({
      messageId: z.string(),
      errorCode: z.string(),
      message: z.string(),
      retryAfterSeconds: z.number().nullable(),
      at: z.string(),
    }),
  ),
});
