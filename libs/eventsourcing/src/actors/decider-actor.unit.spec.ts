import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import type { Decider, DomainEvent } from '../decider/decider.js';
import { DomainError } from '../decider/domain-error.js';
import { WrongExpectedRevisionError } from '../event-store/event-store.errors.js';
import type {
  AppendResult,
  ExpectedRevision,
  NewEvent,
  ReadStreamOptions,
  RecordedEvent,
} from '../event-store/event-store.port.js';
import { InMemoryEventStore } from '../testing/in-memory-event-store.js';
import { EventCatalog } from '../typed-streams/event-catalog.js';
import { defineEvent } from '../typed-streams/event-definition.js';
import { DeciderActor, type Causation, type DeciderActorMetrics } from './decider-actor.js';

/** A tally that records each command once: a redelivered command decides nothing. */
type TallyCommand =
  | { readonly type: 'Add'; readonly data: { readonly commandId: string; readonly amount: number } }
  | { readonly type: 'Close' }
  | { readonly type: 'Reopen' };
type TallyEvent =
  | DomainEvent<'Added', { commandId: string; amount: number }>
  | DomainEvent<'Closed', Record<string, never>>
  | DomainEvent<'Reopened', Record<string, never>>;
interface TallyState {
  readonly total: number;
  readonly seen: readonly string[];
  readonly closed: boolean;
}

const tally: Decider<TallyCommand, TallyEvent, TallyState> = {
  initialState: () => ({ total: 0, seen: [], closed: false }),
  evolve: (state, event) =>
    event.type === 'Added'
      ? { ...state, total: state.total + event.data.amount, seen: [...state.seen, event.data.commandId] }
      : { ...state, closed: event.type === 'Closed' },
  decide: (command, state) => {
    if (command.type === 'Reopen') return state.closed ? [{ type: 'Reopened', data: {} }] : [];
    if (state.closed) throw new DomainError('TALLY_CLOSED', 'the tally is closed');
    if (command.type === 'Close') return [{ type: 'Closed', data: {} }];
    if (state.seen.includes(command.data.commandId)) return [];
    return [{ type: 'Added', data: command.data }];
  },
  isTerminal: (state) => state.closed,
};

const tallyEvents = new EventCatalog<TallyEvent>('tally', {
  Added: defineEvent('Added', z.object({ commandId: z.string(), amount: z.number() })),
  Closed: defineEvent('Closed', z.object({}).strict()),
  Reopened: defineEvent('Reopened', z.object({}).strict()),
});

const NOW = new Date('2026-02-01T12:00:00.000Z');
const STREAM = 'tally-1';
const add = (commandId: string, amount = 1): TallyCommand => ({ type: 'Add', data: { commandId, amount } });
const causation = (commandId: string): Causation => ({ commandId, correlationId: `corr-${commandId}`, userId: 'ana' });

function actorOn(
  store: InMemoryEventStore,
  options: { streamId?: string; maxConflictRetries?: number; metrics?: DeciderActorMetrics } = {},
) {
  return new DeciderActor({
    store,
    streamId: options.streamId ?? STREAM,
    category: 'tally',
    decider: tally,
    catalog: tallyEvents,
    clock: () => NOW,
    producer: 'worker-test',
    ...(options.maxConflictRetries === undefined ? {} : { maxConflictRetries: options.maxConflictRetries }),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
}

const handleAdd = (actor: DeciderActor<TallyCommand, TallyEvent, TallyState>, commandId: string, amount = 1) =>
  actor.handle(add(commandId, amount), causation(commandId));

const commandIdsOf = (events: readonly RecordedEvent[]) =>
  events.map((event) => (event.data as { commandId?: string }).commandId);

/** Holds appends to one stream until the test releases them. */
class GatedStore extends InMemoryEventStore {
  private gate: Promise<void> | null = null;
  private release: () => void = () => undefined;
  constructor(private readonly gatedStream: string) {
    super();
  }
  hold(): void {
    this.gate = new Promise((resolve) => (this.release = resolve));
  }
  letGo(): void {
    this.release();
  }
  override async appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    if (streamId === this.gatedStream && this.gate) await this.gate;
    return super.appendToStream(streamId, events, expected);
  }
}

/** Counts the reads of each stream: what an actor reads before it decides. */
class CountingStore extends InMemoryEventStore {
  reads = 0;
  override async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    this.reads += 1;
    return super.readStream(streamId, options);
  }
}

/** While `losing`, writes each append and then fails it with an error that says nothing of whether it was written. */
class LostAnswerStore extends CountingStore {
  losing = false;
  override async appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const result = await super.appendToStream(streamId, events, expected);
    if (this.losing) throw new Error('connection lost before the answer');
    return result;
  }
}

/**
 * Runs one queued writer right after each of the next reads, before the reader gets its
 * events: the reader then decides on a state that is already stale. The writers' own
 * reads do not trigger further writers.
 */
class RacingStore extends InMemoryEventStore {
  private writers: Array<() => Promise<unknown>> = [];
  private racing = false;
  raceAfterReads(...writers: Array<() => Promise<unknown>>): void {
    this.writers = writers;
  }
  override async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    const events = await super.readStream(streamId, options);
    const writer = this.racing ? undefined : this.writers.shift();
    if (writer) {
      this.racing = true;
      await writer().finally(() => (this.racing = false));
    }
    return events;
  }
}

describe('DeciderActor', () => {
  it('decides several commands, each on the state the ones before it leave, into one append', async () => {
    const store = new InMemoryEventStore();
    const actor = actorOn(store);
    const decision = await actor.handleAll(
      [() => add('c-1', 2), (state) => (state.total === 2 ? add('c-2', state.total) : null), () => null],
      causation('c-1'),
    );
    expect(decision.events.map((event) => event.type)).toEqual(['Added', 'Added']);
    expect(decision).toMatchObject({ state: { total: 4, seen: ['c-1', 'c-2'] }, revision: 2 });
    expect(commandIdsOf(await store.readStream(STREAM))).toEqual(['c-1', 'c-2']);
  });

  it('records the events of several commands together or not at all', async () => {
    const store = new InMemoryEventStore();
    const actor = actorOn(store);
    const steps = [() => add('c-1'), (): TallyCommand => ({ type: 'Close' }), () => add('c-3')];
    await expect(actor.handleAll(steps, causation('c-1'))).rejects.toThrow(DomainError);
    expect(await store.readStream(STREAM)).toEqual([]);
    expect((await actor.current()).state.total).toBe(0);
  });

  it('appends what the decider decides, with the causation, the clock and the producer in metadata', async () => {
    const store = new InMemoryEventStore();
    const decision = await handleAdd(actorOn(store), 'c-1', 5);
    expect(decision).toEqual({
      events: [{ type: 'Added', data: { commandId: 'c-1', amount: 5 } }],
      state: { total: 5, seen: ['c-1'], closed: false },
      revision: 1,
    });
    const [stored] = await store.readStream(STREAM);
    expect(stored?.metadata).toEqual({
      eventId: expect.any(String),
      commandId: 'c-1',
      correlationId: 'corr-c-1',
      userId: 'ana',
      occurredAt: NOW.toISOString(),
      producer: 'worker-test',
    });
  });

  it('decides the commands of one aggregate one at a time, in the order they arrived', async () => {
    const store = new InMemoryEventStore();
    const actor = actorOn(store);
    const ids = Array.from({ length: 20 }, (_, index) => `c-${index}`);
    const decisions = await Promise.all(ids.map((id) => handleAdd(actor, id)));
    expect(decisions.map((decision) => decision.revision)).toEqual(ids.map((_, index) => index + 1));
    const stored = await store.readStream(STREAM);
    expect(commandIdsOf(stored)).toEqual(ids);
    expect(stored.map((event) => event.metadata.commandId)).toEqual(ids);
  });

  it('lets another aggregate go on while one waits for the store', async () => {
    const store = new GatedStore('tally-slow');
    const slow = actorOn(store, { streamId: 'tally-slow' });
    const fast = actorOn(store, { streamId: 'tally-fast' });
    store.hold();
    let slowDone = false;
    const slowDecision = handleAdd(slow, 's-1').then((decision) => {
      slowDone = true;
      return decision;
    });
    await expect(handleAdd(fast, 'f-1')).resolves.toMatchObject({ revision: 1 });
    expect(slowDone).toBe(false);
    expect(slow.busy).toBe(true);
    store.letGo();
    await expect(slowDecision).resolves.toMatchObject({ revision: 1 });
    expect(slow.busy).toBe(false);
  });

  it('re-reads and decides again when another process appended first', async () => {
    const store = new RacingStore();
    const other = actorOn(store);
    const actor = actorOn(store);
    store.raceAfterReads(() => handleAdd(other, 'from-the-other-process', 10));
    const decision = await handleAdd(actor, 'c-1', 1);
    expect(decision).toMatchObject({ revision: 2, state: { total: 11 } });
    expect(commandIdsOf(await store.readStream(STREAM))).toEqual(['from-the-other-process', 'c-1']);
  });

  it('decides nothing on the retry when the other process recorded the same command', async () => {
    const store = new RacingStore();
    const other = actorOn(store);
    const actor = actorOn(store);
    store.raceAfterReads(() => handleAdd(other, 'c-1'));
    const decision = await handleAdd(actor, 'c-1');
    expect(decision).toMatchObject({ events: [], revision: 1, state: { total: 1 } });
    expect(commandIdsOf(await store.readStream(STREAM))).toEqual(['c-1']);
  });

  it('gives up after maxConflictRetries conflicts in a row, appending nothing of its own', async () => {
    const store = new RacingStore();
    const other = actorOn(store);
    store.raceAfterReads(
      () => handleAdd(other, 'o-1'),
      () => handleAdd(other, 'o-2'),
      () => handleAdd(other, 'o-3'),
    );
    await expect(handleAdd(actorOn(store, { maxConflictRetries: 2 }), 'c-1')).rejects.toBeInstanceOf(
      WrongExpectedRevisionError,
    );
    expect(commandIdsOf(await store.readStream(STREAM))).toEqual(['o-1', 'o-2', 'o-3']);
  });

  it('decides nothing for a redelivered command, in the same actor or in a rebuilt one', async () => {
    const store = new InMemoryEventStore();
    const actor = actorOn(store);
    await handleAdd(actor, 'c-1', 3);
    await expect(handleAdd(actor, 'c-1', 3)).resolves.toMatchObject({ events: [], revision: 1 });
    await expect(handleAdd(actorOn(store), 'c-1', 3)).resolves.toMatchObject({
      events: [],
      revision: 1,
      state: { total: 3 },
    });
    expect(await store.readStream(STREAM)).toHaveLength(1);
  });

  it('rejects a refused command without appending, and goes on with the next one', async () => {
    const store = new InMemoryEventStore();
    const actor = actorOn(store);
    await actor.handle({ type: 'Close' }, causation('close'));
    const refused = handleAdd(actor, 'late');
    const next = actor.handle({ type: 'Close' }, causation('again'));
    await expect(refused).rejects.toMatchObject({ code: 'TALLY_CLOSED' });
    await expect(next).rejects.toBeInstanceOf(DomainError);
    expect(await store.readStream(STREAM)).toHaveLength(1);
  });

  it("shows other processes' appends in current()", async () => {
    const store = new InMemoryEventStore();
    const actor = actorOn(store);
    await handleAdd(actor, 'c-1', 1);
    await handleAdd(actorOn(store), 'c-2', 2);
    await expect(actor.current()).resolves.toEqual({
      events: [],
      state: { total: 3, seen: ['c-1', 'c-2'], closed: false },
      revision: 2,
    });
  });

  it('reads its stream once, then decides on the state it holds while its appends are accepted', async () => {
    const store = new CountingStore();
    const actor = actorOn(store);
    await handleAdd(actor, 'c-1');
    await handleAdd(actor, 'c-2');
    await actor.handleAll([() => add('c-3'), () => add('c-4')], causation('c-3'));
    expect(store.reads).toBe(1);
    expect(commandIdsOf(await store.readStream(STREAM))).toEqual(['c-1', 'c-2', 'c-3', 'c-4']);
  });

  it('finds what another process appended since its own last append through the conflict, and decides again', async () => {
    const store = new CountingStore();
    const actor = actorOn(store);
    await handleAdd(actor, 'c-1', 1);
    await handleAdd(actorOn(store), 'from-the-other-process', 10);
    await expect(handleAdd(actor, 'c-2', 2)).resolves.toMatchObject({ revision: 3, state: { total: 13 } });
    expect(commandIdsOf(await store.readStream(STREAM))).toEqual(['c-1', 'from-the-other-process', 'c-2']);
  });

  it('checks a decision to append nothing against the stream before it stands', async () => {
    const store = new InMemoryEventStore();
    const actor = actorOn(store);
    await handleAdd(actor, 'c-1');
    await actorOn(store).handle({ type: 'Close' }, causation('close'));
    // On what it holds, c-1 is already recorded; the stream says the tally is closed since.
    await expect(handleAdd(actor, 'c-1')).rejects.toMatchObject({ code: 'TALLY_CLOSED' });
  });

  it('checks a refusal against the stream before it stands', async () => {
    const store = new InMemoryEventStore();
    const actor = actorOn(store);
    await actor.handle({ type: 'Close' }, causation('close'));
    await actorOn(store).handle({ type: 'Reopen' }, causation('reopen'));
    await expect(handleAdd(actor, 'c-1', 4)).resolves.toMatchObject({ revision: 3, state: { total: 4 } });
  });

  it('lets a decision stand after one check, however often another process appends meanwhile', async () => {
    const store = new RacingStore();
    const actor = actorOn(store);
    const other = actorOn(store);
    await handleAdd(actor, 'c-1');
    await handleAdd(other, 'o-1');
    // Every read the actor makes is followed by another append of the other process's.
    store.raceAfterReads(...['o-2', 'o-3', 'o-4'].map((id) => () => handleAdd(other, id)));
    await expect(handleAdd(actor, 'c-1')).resolves.toMatchObject({ events: [], revision: 2 });
    expect(commandIdsOf(await store.readStream(STREAM))).toEqual(['c-1', 'o-1', 'o-2']);
  });

  it('reads its stream again after an append whose outcome it does not know', async () => {
    const store = new LostAnswerStore();
    const actor = actorOn(store);
    store.losing = true;
    await expect(handleAdd(actor, 'c-1', 1)).rejects.toThrow('connection lost');
    store.losing = false;
    // Written after all: read first, c-1 is not decided twice and c-2 follows it.
    await expect(handleAdd(actor, 'c-1', 1)).resolves.toMatchObject({ events: [], revision: 1 });
    await expect(handleAdd(actor, 'c-2', 1)).resolves.toMatchObject({ revision: 2, state: { total: 2 } });
    expect(store.reads).toBe(2);
  });

  it('counts appended events by category and type', async () => {
    const counted: string[] = [];
    const metrics: DeciderActorMetrics = {
      eventsAppended: { inc: ({ category, type }) => counted.push(`${category}/${type}`) },
    };
    const actor = actorOn(new InMemoryEventStore(), { metrics });
    await handleAdd(actor, 'c-1');
    await handleAdd(actor, 'c-1');
    await actor.handle({ type: 'Close' }, causation('close'));
    expect(counted).toEqual(['tally/Added', 'tally/Closed']);
  });
});
