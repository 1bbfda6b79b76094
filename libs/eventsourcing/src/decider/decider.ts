/**
 * A pure decision model (emmett style): state is rebuilt by folding events with `evolve`,
 * and `decide` turns a command plus current state into new events. No I/O, no clock:
 * time and ids arrive inside the command.
 */
export interface Decider<Command, Event, State> {
  readonly initialState: () => State;
  readonly evolve: (state: State, event: Event) => State;
  readonly decide: (command: Command, state: State) => readonly Event[];
  /** Terminal states accept no further work; the stream is finished. */
  readonly isTerminal: (state: State) => boolean;
}

/** A domain event as the domain sees it: the store adds position and metadata. */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Readonly<Data>;
}

export function foldEvents<E, S>(decider: Pick<Decider<unknown, E, S>, 'evolve'>, state: S, events: Iterable<E>): S {
  let current = state;
  for (const event of events) current = decider.evolve(current, event);
  return current;
}

/** Ends every switch on a discriminant: adding a union member without handling it fails to compile. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
