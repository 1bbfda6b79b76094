import { tap, type Observable } from 'rxjs';
import type { EventStore, NewEvent, RecordedEvent } from '#eventsourcing';
import type { CommandBus, CommandHandler, RoutedCommand } from '#platform';

/**
 * The stages one command passes on its way to its first event, in order. `queued`: its first
 * event decided and handed to the store; `appended`: the store answered.
 */
export const STAGES = ['connected', 'arrived', 'sent', 'accepted', 'picked', 'queued', 'appended', 'fed'] as const;
export type Stage = (typeof STAGES)[number];

/** Absolute milliseconds, comparable between the bench's processes on one machine. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

/** The id of the aggregate a stream belongs to: `chat-<id>`, `investigation-<id>`. */
const idOf = (streamId: string): string => streamId.slice(streamId.indexOf('-') + 1);

/**
 * The first time each aggregate reached each stage. `queued`, `appended` and `fed` count only the
 * events `firstEvent` names: the one a client waits for (a chat's first chunk).
 */
export class StageTrace {
  private readonly times = new Map<string, Partial<Record<Stage, number>>>();
  /** When each request reached the API's socket listener, by its X-Correlation-ID, until its command names its aggregate. */
  private readonly arrivals = new Map<string, { readonly connectedAt: number | undefined; readonly at: number }>();
  /** Streams read from the store (readStream calls), by anyone in the process: what a decision costs in reads. */
  streamReads = 0;

  constructor(private readonly firstEvent: (type: string) => boolean) {}

  /** Only the first time counts: a chat's later chunks pass here too, and cost no clock read. */
  record(id: string, stage: Stage, at?: number): void {
    let entry = this.times.get(id);
    if (entry === undefined) this.times.set(id, (entry = {}));
    entry[stage] ??= at ?? nowMs();
  }

  /** A request read off its socket now; `connectedAt`: when its connection was accepted, if it opened one. */
  arrived(correlationId: string, connectedAt: number | undefined): void {
    this.arrivals.set(correlationId, { connectedAt, at: nowMs() });
  }

  /** The request that sent a command to `id` arrived: the time its correlation id was first seen. */
  recordArrival(id: string, correlationId: string): void {
    const arrival = this.arrivals.get(correlationId);
    if (arrival === undefined) return;
    this.arrivals.delete(correlationId);
    if (arrival.connectedAt !== undefined) this.record(id, 'connected', arrival.connectedAt);
    this.record(id, 'arrived', arrival.at);
  }

  recordEvents(events: readonly Pick<RecordedEvent, 'type'>[], streamId: string, stage: Stage): void {
    if (events.some((event) => this.firstEvent(event.type))) this.record(idOf(streamId), stage);
  }

  snapshot(): Record<string, Partial<Record<Stage, number>>> {
    return Object.fromEntries(this.times);
  }

  clear(): void {
    this.times.clear();
    this.arrivals.clear();
    this.streamReads = 0;
  }
}

/** The bus the API and the workers are given, timing `sent`, `accepted` and `picked`. */
export function tracedBus(bus: CommandBus, trace: StageTrace): CommandBus {
  const picked =
    (handler: CommandHandler): CommandHandler =>
    (message: RoutedCommand, context) => {
      trace.record(message.target.id, 'picked');
      return handler(message, context);
    };
  return {
    kind: bus.kind,
    send: async (message) => {
      trace.recordArrival(message.target.id, message.command.metadata.correlationId);
      trace.record(message.target.id, 'sent');
      const result = await bus.send(message);
      trace.record(message.target.id, 'accepted');
      return result;
    },
    firstAccepted: (target, type) => bus.firstAccepted(target, type),
    consume: (handler, options) => bus.consume(picked(handler), options),
    ping: () => bus.ping(),
    close: () => bus.close(),
  };
}

/**
 * The store, timing the append and the live feed's delivery of each aggregate's awaited event.
 * Every reader and writer of the process goes through it, so each method is made once, not
 * on each call: what the bench times should be the API's work, not its own.
 */
export function tracedStore(store: EventStore, trace: StageTrace): EventStore {
  const made = new Map<PropertyKey, unknown>();
  const make = (property: PropertyKey, receiver: unknown): unknown => {
    if (property === 'appendToStream')
      return async (streamId: string, events: readonly NewEvent[], expected: never) => {
        trace.recordEvents(events, streamId, 'queued');
        const result = await store.appendToStream(streamId, events, expected);
        trace.recordEvents(events, streamId, 'appended');
        return result;
      };
    if (property === 'readStream')
      return (...args: Parameters<EventStore['readStream']>) => {
        trace.streamReads += 1;
        return store.readStream(...args);
      };
    if (property === 'subscribe')
      return (): Observable<RecordedEvent> =>
        store.subscribe().pipe(tap((event) => trace.recordEvents([event], event.streamId, 'fed')));
    const value: unknown = Reflect.get(store, property, receiver);
    return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(store) : value;
  };
  return new Proxy(store, {
    get(_target, property, receiver) {
      if (made.has(property)) return made.get(property);
      const value = make(property, receiver);
      if (typeof value === 'function') made.set(property, value);
      return value;
    },
  });
}
