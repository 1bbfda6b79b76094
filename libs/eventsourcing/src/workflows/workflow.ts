import type { RecordedEvent } from '../event-store/event-store.port.js';

/** A command a workflow sends: to one aggregate instance, as the command bus routes it. */
export interface WorkflowCommand<Type extends string = string, Data = unknown> {
  readonly to: { readonly aggregate: string; readonly id: string };
  readonly type: Type;
  readonly data: Data;
}

/**
 * What a workflow decides on one input: send a command, deliver an input to itself at a
 * time (an ISO-8601 instant taken from its inputs, never from a clock), or end the
 * instance, after which its inputs are ignored and its pending schedules dropped.
 */
export type WorkflowOutput<Input, Output extends WorkflowCommand> =
  | { readonly kind: 'send'; readonly command: Output }
  | { readonly kind: 'schedule'; readonly input: Input; readonly at: string }
  | { readonly kind: 'complete' };

/**
 * A process that reacts to events with commands: a pure function of its inputs, as a
 * decider is of its commands. `read` picks the workflow's inputs out of the store's global
 * order; `instanceOf` says which instance an input belongs to (null: none). The host keeps
 * each instance's state, so `decide` sees everything the instance received before.
 */
export interface Workflow<Input, State, Output extends WorkflowCommand> {
  readonly name: string;
  read(event: RecordedEvent): Input | null;
  instanceOf(input: Input): string | null;
  initialState(): State;
  decide(input: Input, state: State): readonly WorkflowOutput<Input, Output>[];
  /** Returns `state` itself when the input changes nothing: an instance that never changed is never stored. */
  evolve(state: State, input: Input): State;
}

export const send = <Output extends WorkflowCommand>(command: Output) => ({ kind: 'send', command }) as const;
export const schedule = <Input>(input: Input, at: string) => ({ kind: 'schedule', input, at }) as const;
export const complete = () => ({ kind: 'complete' }) as const;

/** Who a workflow's command acts for: taken from the input that caused it. */
export interface WorkflowCausation {
  readonly correlationId: string;
  readonly userId: string;
}

/**
 * One command to send. `key` names the input and output that caused it, the same however
 * often the input is replayed: the outbox derives the command's idempotency key from it,
 * so a replay after a crash sends nothing twice.
 */
export interface WorkflowSend<Output> {
  readonly command: Output;
  readonly key: string;
  readonly causation: WorkflowCausation;
}

/** Where a host hands the commands its workflow sends: the command bus, in the workers. */
export interface WorkflowOutbox<Output> {
  send(message: WorkflowSend<Output>): Promise<void>;
}
