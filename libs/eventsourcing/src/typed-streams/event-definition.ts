import type { output, ZodError, ZodType } from 'zod';
import type { DomainEvent } from '../decider/decider.js';
import type { Stored } from '../decider/stored-event.js';
import type { RecordedEvent } from '../event-store/event-store.port.js';

/** What checking one version of an event's data gave: the data, or why it does not fit. */
export type VersionCheck<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly version: number; readonly issues: string };

/** An older version of an event's data, and the step that turns it into the next version. */
export interface OlderVersion {
  readonly upgrade: (data: unknown, version: number) => VersionCheck<unknown>;
}

/**
 * How stored data of any version (1 for events stored before versions were recorded)
 * becomes the current event of one type.
 */
export interface EventDecoder<E extends DomainEvent> {
  readonly type: E['type'];
  readonly version: number;
  /** The recorded event, stored at `version`, as the current domain event in its place. */
  readonly decode: (recorded: RecordedEvent, version: number) => VersionCheck<Stored<E>>;
}

/** Data with every field required, at every depth: two types that differ by a field differ here. */
export type Complete<T> = T extends readonly (infer U)[]
  ? Complete<U>[]
  : T extends object
    ? { -readonly [K in keyof T]-?: Complete<T[K]> }
    : T;

/**
 * One event type of a catalog, whose schema gives exactly its event's data, no more, no less.
 * `exactData` is never set: a function from and to the completed data, so a schema whose data
 * lacks an optional field of the event, or has one more, does not fit the event's slot (plain
 * assignability would let a schema leave an optional field out, and its value be dropped).
 */
export type EventDefinition<E extends DomainEvent> = EventDecoder<E> & {
  readonly exactData?: (data: Complete<E['data']>) => Complete<E['data']>;
};

export function describeIssues(error: ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(data)'}: ${issue.message}`).join('; ');
}

/**
 * Version N of an event's data, and its upcaster to version N + 1. An upcaster is written
 * once, when version N + 1 appears, and never changes: a reader applies them in turn.
 */
export function upcaster<Old, Next>(schema: ZodType<Old>, upcast: (old: Old) => Next): OlderVersion {
  return {
    upgrade: (data, version) => {
      const parsed = schema.safeParse(data);
      if (!parsed.success) return { ok: false, version, issues: describeIssues(parsed.error) };
      return { ok: true, value: upcast(parsed.data) };
    },
  };
}

/**
 * An event type, its current data schema and its older versions, oldest (version 1) first:
 * the current version is one more than the number of older ones. The data type comes from
 * the schema alone (not from the slot the definition goes in), so the catalog can check it.
 */
export function defineEvent<Type extends string, Schema extends ZodType>(
  type: Type,
  schema: Schema,
  older: readonly OlderVersion[] = [],
): EventDefinition<DomainEvent<Type, output<Schema>>> {
  const version = older.length + 1;
  return {
    type,
    version,
    decode: (recorded, from) => {
      let current = recorded.data;
      for (let v = from; v < version; v++) {
        const step = older[v - 1]?.upgrade(current, v);
        if (!step) return { ok: false, version: v, issues: 'no upcaster for this version' };
        if (!step.ok) return step;
        current = step.value;
      }
      const parsed = schema.safeParse(current);
      if (!parsed.success) return { ok: false, version, issues: describeIssues(parsed.error) };
      // Built field by field: spreading the recorded event costs more than checking it.
      const { streamId, revision, position, metadata } = recorded;
      return { ok: true, value: { type, data: parsed.data, streamId, revision, position, metadata } };
    },
  };
}
