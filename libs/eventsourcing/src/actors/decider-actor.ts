import { randomUUID } from 'node:crypto';
import type { Decider, DomainEvent } from '../decider/decider.js';
import { WrongExpectedRevisionError } from '../event-store/event-store.errors.js';
import type { EventStore, NewEvent } from '../event-store/event-store.port.js';
import type { EventCatalog } from '../typed-streams/event-catalog.js';
import { readTypedPages } from '../typed-streams/typed-stream.js';
import { Mailbox } from './mailbox.js';

/** Who asked, for the metadata of the events a command causes. */
export interface Causation {
  readonly commandId: string;
  readonly correlationId: string;
  readonly userId: string;
}

/** What the actor counts: the platform's metrics registry satisfies it, a test may pass nothing. */
export interface DeciderActorMetrics {
  readonly eventsAppended: { inc(labels: { readonly category: string; readonly type: string }): void };
}

export interface DeciderActorDeps<C, E extends DomainEvent, S> {
  readonly store: EventStore;
  readonly streamId: string;
  readonly category: string;
  readonly decider: Decider<C, E, S>;
  /** The stream's event types: what it reads is checked, what it appends carries the current versions. */
  readonly catalog: EventCatalog<E>;
  readonly clock: () => Date;
  readonly metrics?: DeciderActorMetrics;
  readonly maxConflictRetries?: number;
  /** Which process appended: recorded in metadata, so an audit can tell workers apart. */
  readonly producer?: string;
}

export interface Decision<E, S> {
  readonly events: readonly E[];
  readonly state: S;
  readonly revision: number;
}

/**
 * One aggregate instance: its mailbox serialises commands in this process, and the
 * expected revision serialises them across processes (a conflict re-reads and decides again).
 *
 * It reads its stream before deciding only when its state may be behind what it last saw:
 * new, or after an append that was refused or failed. Once it has caught up or appended,
 * it decides on the state it holds: anything another process appended since makes the
 * append conflict, and a decision that appends nothing (a refusal, a command already
 * recorded) is checked against the stream before it stands, so every outcome is the one a
 * read first would have given, for the price of a read only when it can differ.
 */
export class DeciderActor<C, E extends DomainEvent, S> {
  private readonly mailbox = new Mailbox();
  private state: S;
  private revision = 0;
  /** Caught up or appended since the last refused or failed append: the state is all it knows of. */
  private trusted = false;

  constructor(private readonly deps: DeciderActorDeps<C, E, S>) {
    this.state = deps.decider.initialState();
  }

  get busy(): boolean {
    return this.mailbox.size > 0;
  }

  handle(command: C, causation: Causation): Promise<Decision<E, S>> {
    return this.mailbox.post(() => this.decideAndAppend([() => command], causation));
  }

  /**
   * Decides several commands in turn, each on the state the events of those before it leave
   * (a step may see that state and return null: nothing to decide), and appends all their
   * events in one append: recorded together or not at all, for the price of one write.
   */
  handleAll(steps: ReadonlyArray<(state: S) => C | null>, causation: Causation): Promise<Decision<E, S>> {
    return this.mailbox.post(() => this.decideAndAppend(steps, causation));
  }

  /** The state after every event stored so far, including other processes' appends. */
  current(): Promise<Decision<E, S>> {
    return this.mailbox.post(async () => {
      await this.catchUp();
      return { events: [], state: this.state, revision: this.revision };
    });
  }

  private async decideAndAppend(
    steps: ReadonlyArray<(state: S) => C | null>,
    causation: Causation,
  ): Promise<Decision<E, S>> {
    const retries = this.deps.maxConflictRetries ?? 10;
    // The state decided on was read from the stream during this command: what it decides stands.
    let fresh = false;
    for (let attempt = 0; ; attempt++) {
      if (!this.trusted) {
        await this.catchUp();
        fresh = true;
      }
      let events: E[] | undefined;
      let refusal: unknown;
      try {
        events = this.decideAll(steps);
      } catch (error) {
        refusal = error;
      }
      if (events === undefined || events.length === 0) {
        // A refusal, or a decision to append nothing, stands once the state it was made on is known to be the stream's.
        if (!fresh && (await this.caughtUpFurther())) {
          fresh = true;
          continue;
        }
        if (events === undefined) throw refusal;
        return { events, state: this.state, revision: this.revision };
      }
      try {
        await this.append(events, causation);
        return { events, state: this.state, revision: this.revision };
      } catch (error) {
        // Refused or failed: whether another process (or this append, in a failure) wrote is unknown until read.
        this.trusted = false;
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= retries) throw error;
      }
    }
  }

  /** Catches up; true when the stream held events this actor had not seen. */
  private async caughtUpFurther(): Promise<boolean> {
    const before = this.revision;
    await this.catchUp();
    return this.revision !== before;
  }

  /** The events of every step, each decided on the state the ones before it leave. */
  private decideAll(steps: ReadonlyArray<(state: S) => C | null>): E[] {
    const { decide, evolve } = this.deps.decider;
    const events: E[] = [];
    let state = this.state;
    for (const step of steps) {
      const command = step(state);
      if (command === null) continue;
      const decided = decide(command, state);
      for (const event of decided) state = evolve(state, event);
      events.push(...decided);
    }
    return events;
  }

  private async append(events: readonly E[], causation: Causation): Promise<void> {
    const occurredAt = this.deps.clock().toISOString();
    const records: NewEvent[] = events.map((e) =>
      this.deps.catalog.encode(e, {
        eventId: randomUUID(),
        ...causation,
        occurredAt,
        ...(this.deps.producer ? { producer: this.deps.producer } : {}),
      }),
    );
    const { nextRevision } = await this.deps.store.appendToStream(this.deps.streamId, records, this.revision);
    for (const event of events) {
      this.state = this.deps.decider.evolve(this.state, event);
      this.deps.metrics?.eventsAppended.inc({ category: this.deps.category, type: event.type });
    }
    this.revision = nextRevision;
  }

  private async catchUp(): Promise<void> {
    const { store, catalog, streamId } = this.deps;
    for await (const recorded of readTypedPages(store, catalog, streamId, this.revision)) {
      this.state = this.deps.decider.evolve(this.state, recorded);
      this.revision = recorded.revision;
    }
    this.trusted = true;
  }
}
