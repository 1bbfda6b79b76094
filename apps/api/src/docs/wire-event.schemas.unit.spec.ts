import { describe, expect, it } from '@jest/globals';
import type { z } from 'zod';
import type { CloudEvent } from '#audit';
import type { AuditCloudEvent, AuditRecordWire } from '#audit';
import type { ChatWireEvent } from '#chat';
import type {
  InvestigationListItem,
  InvestigationListWireEvent,
  InvestigationStateMessage,
  InvestigationWireEvent,
} from '#investigations';
import {
  auditCloudEventSchema,
  auditRecordSchema,
  chatEventSchemas,
  cloudEventSchema,
  investigationEventSchemas,
  investigationListEventSchemas,
  investigationListItemSchema,
  investigationListPageSchema,
  investigationStateSchema,
  wireEventSchemas,
} from './wire-event.schemas.js';
import type { InvestigationList } from '../investigations/investigation-list.js';

type Union<S extends Record<string, z.ZodType>> = z.output<S[keyof S]>;
type Keys<U, T> = keyof Extract<U, { type: T }>;
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/**
 * Per event type: does the schema have exactly the fields the server's type has? `Added`:
 * fields the transport adds to some events (a new chat session's secret on `start`).
 */
type FieldsMatch<Server extends { type: string }, Schema extends { type: string }, Added = never> = {
  [T in Server['type'] | Schema['type']]: SameKeys<Keys<Server, T>, Exclude<Keys<Schema, T>, Added>>;
};
/** Compiles only when every entry is true: a field or an event type added on one side alone fails the type check. */
const allTrue = <R extends Record<string, true>>(checks: R): R => checks;

describe('the wire schemas', () => {
  it("have the fields of the server's own wire types, event type by event type", () => {
    const investigation = allTrue<FieldsMatch<InvestigationWireEvent, Union<typeof investigationEventSchemas>>>({
      progress: true,
      phase: true,
      anomaly: true,
      complete: true,
      error: true,
      cancelled: true,
      trends: true,
    });
    const chat = allTrue<FieldsMatch<ChatWireEvent, Union<typeof chatEventSchemas>, 'session_token'>>({
      start: true,
      detecting: true,
      intent: true,
      agent_selected: true,
      chunk: true,
      complete: true,
      error: true,
    });
    const list = allTrue<FieldsMatch<InvestigationListWireEvent, Union<typeof investigationListEventSchemas>>>({
      investigation_summary: true,
    });
    expect(Object.keys(list)).toEqual(Object.keys(investigationListEventSchemas));
    const item: SameKeys<keyof InvestigationListItem, keyof z.output<typeof investigationListItemSchema>> = true;
    const page: SameKeys<
      keyof Awaited<ReturnType<InvestigationList['page']>>,
      keyof z.output<typeof investigationListPageSchema>
    > = true;
    const state: SameKeys<keyof InvestigationStateMessage, keyof z.output<typeof investigationStateSchema>> = true;
    expect([item, page, state]).toEqual([true, true, true]);
    const cloud: SameKeys<keyof CloudEvent, keyof z.output<typeof cloudEventSchema>> = true;
    const audit: SameKeys<keyof AuditRecordWire, keyof z.output<typeof auditRecordSchema>> = true;
    expect(Object.keys(investigation).sort()).toEqual(Object.keys(investigationEventSchemas).sort());
    expect(Object.keys(chat).sort()).toEqual(Object.keys(chatEventSchemas).sort());
    const auditEvent: SameKeys<keyof AuditCloudEvent, keyof z.output<typeof auditCloudEventSchema>> = true;
    expect([cloud, audit, auditEvent]).toEqual([true, true, true]);
  });

  it('accept what the server sends and refuse a field it does not', () => {
    const progress = {
      type: 'progress',
      investigation_id: 'inv-1',
      progress: 40,
      current_phase: 'anomaly_detection',
      records_processed: 100,
      anomalies_detected: 2,
      timestamp: '2026-01-01T00:00:00.000Z',
    };
    expect(investigationEventSchemas.progress.parse(progress)).toEqual(progress);
    expect(investigationEventSchemas.progress.safeParse({ ...progress, extra: 1 }).success).toBe(false);
  });

  it('become one JSON schema per event, with its type as a constant', () => {
    const schemas = wireEventSchemas();
    expect(schemas.InvestigationEvent_anomaly).toMatchObject({
      type: 'object',
      additionalProperties: false,
      properties: { type: { const: 'anomaly' }, severity: { enum: ['low', 'medium', 'high', 'critical'] } },
    });
    expect(schemas.ChatEvent_chunk?.required).toEqual(['type', 'content']);
  });
});
