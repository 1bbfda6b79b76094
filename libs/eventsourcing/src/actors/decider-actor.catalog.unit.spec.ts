import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import type { Decider, DomainEvent } from '../decider/decider.js';
import type { EventMetadata } from '../event-store/event-store.port.js';
import { InMemoryEventStore } from '../testing/in-memory-event-store.js';
import { EventCatalog, SCHEMA_VERSION } from '../typed-streams/event-catalog.js';
import { InvalidEventDataError, UnknownEventTypeError } from '../typed-streams/event-decoding.errors.js';
import { defineEvent, upcaster } from '../typed-streams/event-definition.js';
import { DeciderActor } from './decider-actor.js';

/** An electricity meter: version 1 of MeterRead recorded watt-hours, version 2 records kilowatt-hours. */
type MeterEvent = DomainEvent<'MeterRead', { kilowattHours: number }>;
type MeterCommand = { readonly type: 'Read'; readonly data: { readonly kilowattHours: number } };
interface MeterState {
  readonly total: number;
}

const meter: Decider<MeterCommand, MeterEvent, MeterState> = {
  initialState: () => ({ total: 0 }),
  evolve: (state, event) => ({ total: state.total + event.data.kilowattHours }),
  // A reading repeats the meter's running total: only what grew since is consumption.
  decide: (command, state) =>
    command.data.kilowattHours > state.total
      ? [{ type: 'MeterRead', data: { kilowattHours: command.data.kilowattHours - state.total } }]
      : [],
  isTerminal: () => false,
};

const meterEvents = new EventCatalog<MeterEvent>('meter', {
  MeterRead: defineEvent('MeterRead', z.object({ kilowattHours: z.number() }), [
    upcaster(z.object({ wattHours: z.number() }), ({ wattHours }) => ({ kilowattHours: wattHours / 1000 })),
  ]),
});

const STREAM = 'meter-7';
const META: EventMetadata = {
  eventId: 'e',
  commandId: 'c',
  correlationId: 'k',
  userId: 'ana',
  occurredAt: '2026-03-01T00:00:00.000Z',
};
const causation = { commandId: 'read-1', correlationId: 'k', userId: 'ana' };
const read = (kilowattHours: number): MeterCommand => ({ type: 'Read', data: { kilowattHours } });

const actorOn = (store: InMemoryEventStore) =>
  new DeciderActor({
    store,
    streamId: STREAM,
    category: 'meter',
    decider: meter,
    catalog: meterEvents,
    clock: () => new Date('2026-03-02T00:00:00.000Z'),
  });

describe('DeciderActor reading through its catalog', () => {
  it('folds events stored at version 1 as the current version, and appends the current version', async () => {
    const store = new InMemoryEventStore();
    await store.appendToStream(STREAM, [{ type: 'MeterRead', data: { wattHours: 1500 }, metadata: META }], 'no_stream');
    const decision = await actorOn(store).handle(read(4), causation);
    expect(decision).toMatchObject({ state: { total: 4 }, revision: 2 });
    expect(decision.events).toEqual([{ type: 'MeterRead', data: { kilowattHours: 2.5 } }]);
    const [, appended] = await store.readStream(STREAM);
    expect(appended?.data).toEqual({ kilowattHours: 2.5 });
    expect(appended?.metadata[SCHEMA_VERSION]).toBe(2);
  });

  it('refuses to decide on a stream holding an event it does not know, naming where it is', async () => {
    const store = new InMemoryEventStore();
    await store.appendToStream(
      STREAM,
      [
        { type: 'MeterRead', data: { kilowattHours: 1 }, metadata: { ...META, [SCHEMA_VERSION]: 2 } },
        { type: 'MeterTampered', data: {}, metadata: META },
      ],
      'no_stream',
    );
    const refused = actorOn(store).handle(read(9), causation);
    await expect(refused).rejects.toBeInstanceOf(UnknownEventTypeError);
    await expect(refused).rejects.toMatchObject({ streamId: STREAM, revision: 2, eventType: 'MeterTampered' });
    expect(await store.readStream(STREAM)).toHaveLength(2);
  });

  it('refuses an event whose data does not have its version’s shape', async () => {
    const store = new InMemoryEventStore();
    await store.appendToStream(STREAM, [{ type: 'MeterRead', data: { kwh: 1 }, metadata: META }], 'no_stream');
    await expect(actorOn(store).current()).rejects.toBeInstanceOf(InvalidEventDataError);
  });
});
