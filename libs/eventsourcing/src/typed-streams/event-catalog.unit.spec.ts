import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import type { DomainEvent } from '../decider/decider.js';
import type { EventMetadata, RecordedEvent } from '../event-store/event-store.port.js';
import { EventCatalog, SCHEMA_VERSION } from './event-catalog.js';
import { InvalidEventDataError, UnknownEventTypeError, UnknownEventVersionError } from './event-decoding.errors.js';
import { defineEvent, upcaster } from './event-definition.js';

/** A parcel tracker: version 1 of Weighed recorded grams as `weight`; version 2 records kilograms. */
type ParcelEvent =
  DomainEvent<'Registered', { parcelId: string }> | DomainEvent<'Weighed', { kilograms: number; scale: string }>;

const weighedV1 = z.object({ weight: z.number() });
const weighedV2 = z.object({ kilograms: z.number() });
const parcels = new EventCatalog<ParcelEvent>('parcel', {
  Registered: defineEvent('Registered', z.object({ parcelId: z.string() })),
  Weighed: defineEvent('Weighed', z.object({ kilograms: z.number(), scale: z.string() }), [
    upcaster(weighedV1, ({ weight }) => ({ kilograms: weight / 1000 })),
    upcaster(weighedV2, ({ kilograms }) => ({ kilograms, scale: 'unknown' })),
  ]),
});

const META: EventMetadata = {
  eventId: 'e-1',
  commandId: 'c-1',
  correlationId: 'k-1',
  userId: 'ana',
  occurredAt: '2026-03-01T10:00:00.000Z',
};

const recorded = (type: string, data: unknown, version?: unknown, revision = 7): RecordedEvent => ({
  streamId: 'parcel-42',
  revision,
  position: 99,
  type,
  data,
  metadata: version === undefined ? META : { ...META, [SCHEMA_VERSION]: version },
});

function decodeError(event: RecordedEvent): unknown {
  try {
    parcels.decode(event);
  } catch (error) {
    return error;
  }
  throw new Error('decoded an event that should fail');
}

describe('event catalog', () => {
  it('turns a current stored event into a domain event, keeping its place and metadata', () => {
    const event = parcels.decode(recorded('Weighed', { kilograms: 2, scale: 'dock-3' }, 3));
    expect(event).toEqual({
      type: 'Weighed',
      data: { kilograms: 2, scale: 'dock-3' },
      streamId: 'parcel-42',
      revision: 7,
      position: 99,
      metadata: { ...META, [SCHEMA_VERSION]: 3 },
    });
  });

  it('reads an event stored without a version as version 1, upcasting it step by step', () => {
    expect(parcels.decode(recorded('Weighed', { weight: 1500 })).data).toEqual({ kilograms: 1.5, scale: 'unknown' });
    expect(parcels.decode(recorded('Weighed', { kilograms: 4 }, 2)).data).toEqual({ kilograms: 4, scale: 'unknown' });
    expect(parcels.decode(recorded('Registered', { parcelId: 'p' })).data).toEqual({ parcelId: 'p' });
  });

  it('names the stream, revision and type of an event type it does not know', () => {
    const error = decodeError(recorded('Lost', {}, undefined, 12));
    expect(error).toBeInstanceOf(UnknownEventTypeError);
    expect(error).toMatchObject({ reason: 'unknown_type', streamId: 'parcel-42', revision: 12, eventType: 'Lost' });
    expect(String(error)).toContain('stream parcel-42 revision 12 (Lost)');
  });

  it('names the field of data that does not have its version’s shape', () => {
    const error = decodeError(recorded('Weighed', { kilograms: 'heavy', scale: 'dock-3' }, 3));
    expect(error).toBeInstanceOf(InvalidEventDataError);
    expect(error).toMatchObject({ reason: 'invalid_data', streamId: 'parcel-42', revision: 7, eventType: 'Weighed' });
    expect(error).toMatchObject({ version: 3, issues: expect.stringContaining('kilograms') });
  });

  it('checks an old event against its own version before upcasting it', () => {
    const error = decodeError(recorded('Weighed', { kilograms: 2, scale: 'dock-3' }));
    expect(error).toMatchObject({ reason: 'invalid_data', version: 1, issues: expect.stringContaining('weight') });
  });

  it('refuses a version newer than it knows, or one that is not a version', () => {
    for (const version of [4, 0, '2', 1.5]) {
      const error = decodeError(recorded('Weighed', { kilograms: 2, scale: 'x' }, version));
      expect(error).toBeInstanceOf(UnknownEventVersionError);
      expect(error).toMatchObject({ reason: 'unknown_version', eventType: 'Weighed', revision: 7 });
    }
  });

  it('stamps appended events with their type’s current version, from version 2 on', () => {
    const weighed = parcels.encode({ type: 'Weighed', data: { kilograms: 1, scale: 's' } }, META);
    expect(weighed).toEqual({
      type: 'Weighed',
      data: { kilograms: 1, scale: 's' },
      metadata: { ...META, [SCHEMA_VERSION]: 3 },
    });
    expect(parcels.encode({ type: 'Registered', data: { parcelId: 'p' } }, META).metadata).toEqual(META);
  });

  it('reads back what it wrote', () => {
    const written = parcels.encode({ type: 'Weighed', data: { kilograms: 1, scale: 's' } }, META);
    const read = parcels.decode({ ...written, streamId: 'parcel-1', revision: 1, position: 1 });
    expect(read.data).toEqual(written.data);
  });

  it('checks an event once, however many subscribers read the same recorded event', () => {
    const event = recorded('Weighed', { weight: 1000 });
    expect(parcels.decode(event)).toBe(parcels.decode(event));
  });

  it('checks a live event once when a hub reads it again after other events (its frame, then each say over it)', () => {
    const first = recorded('Weighed', { weight: 1000 }, undefined, 1);
    const second = recorded('Weighed', { weight: 2000 }, undefined, 2);
    const framed = parcels.decode(first);
    parcels.decode(second);
    expect(parcels.decode(first)).toBe(framed);
  });

  it('checks a live event once even when a burst of a thousand others is decoded before its next reader', () => {
    const first = recorded('Weighed', { weight: 1000 }, undefined, 1);
    const framed = parcels.decode(first);
    for (let revision = 2; revision <= 1_001; revision += 1)
      parcels.decode(recorded('Weighed', { weight: revision }, undefined, revision));
    expect(parcels.decode(first)).toBe(framed);
  });

  it('takes only a schema giving exactly its event’s data: no optional field left out, none added', () => {
    type Labelled = DomainEvent<'Labelled', { label: string; note?: string }>;
    const exact = new EventCatalog<Labelled>('label', {
      Labelled: defineEvent('Labelled', z.object({ label: z.string(), note: z.string().optional() })),
    });
    const missing = new EventCatalog<Labelled>('label', {
      // @ts-expect-error the schema leaves out the optional `note`, so a stored note would be dropped
      Labelled: defineEvent('Labelled', z.object({ label: z.string() })),
    });
    const extra = new EventCatalog<Labelled>('label', {
      // @ts-expect-error the schema reads a field the event does not have
      Labelled: defineEvent('Labelled', z.object({ label: z.string(), note: z.string().optional(), by: z.string() })),
    });
    const event = recorded('Labelled', { label: 'fragile', note: 'glass' });
    expect(exact.decode(event).data).toEqual({ label: 'fragile', note: 'glass' });
    expect(missing.decode(event).data).toEqual({ label: 'fragile' });
    expect(extra.types).toEqual(['Labelled']);
  });
});
