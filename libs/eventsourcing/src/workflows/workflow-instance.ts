import type { DocumentIndex } from '../projections/read-model.port.js';
import type { Workflow, WorkflowCausation, WorkflowCommand, WorkflowSend } from './workflow.js';

/** An input the instance scheduled for itself, kept until it is due. */
export interface ScheduledInput<Input> {
  readonly key: string;
  readonly at: string;
  readonly input: Input;
  readonly causation: WorkflowCausation;
}

/**
 * What the host stores per instance, in the same commit as the checkpoint of the inputs
 * it accounts for: a restart finds state and checkpoint of one moment, never one ahead.
 */
export interface WorkflowInstance<State, Input> {
  readonly state: State;
  readonly completed: boolean;
  readonly schedules: readonly ScheduledInput<Input>[];
}

/** One input delivered to an instance: `key` is unique to the input, stable across replays. */
export interface Delivery<Input> {
  readonly instanceId: string;
  readonly input: Input;
  readonly key: string;
  readonly causation: WorkflowCausation;
}

export interface Step<State, Input, Output> {
  readonly instance: WorkflowInstance<State, Input>;
  readonly changed: boolean;
  readonly sends: readonly WorkflowSend<Output>[];
}

export const newInstance = <State, Input>(state: State): WorkflowInstance<State, Input> => ({
  state,
  completed: false,
  schedules: [],
});

/** Decides on one input against the instance and evolves it: what to send, and the instance after. */
export function stepInstance<Input, State, Output extends WorkflowCommand>(
  workflow: Workflow<Input, State, Output>,
  instance: WorkflowInstance<State, Input>,
  delivery: Delivery<Input>,
): Step<State, Input, Output> {
  if (instance.completed) return { instance, changed: false, sends: [] };
  const outputs = workflow.decide(delivery.input, instance.state);
  const state = workflow.evolve(instance.state, delivery.input);
  const sends: WorkflowSend<Output>[] = [];
  let schedules = instance.schedules;
  let completed = false;
  outputs.forEach((output, index) => {
    const key = `${delivery.key}:${index}`;
    switch (output.kind) {
      case 'send':
        sends.push({ command: output.command, key, causation: delivery.causation });
        break;
      case 'schedule':
        schedules = [...schedules, { key, at: output.at, input: output.input, causation: delivery.causation }];
        break;
      case 'complete':
        completed = true;
        break;
      default: {
        const unexpected: never = output;
        throw new Error(`unexpected workflow output ${JSON.stringify(unexpected)}`);
      }
    }
  });
  if (state === instance.state && outputs.length === 0) return { instance, changed: false, sends };
  return { instance: { state, completed, schedules: completed ? [] : schedules }, changed: true, sends };
}

/** The earliest time an instance has something due, or null. */
export const nextDueOf = (instance: WorkflowInstance<unknown, unknown>): string | null =>
  instance.schedules.reduce<string | null>(
    (earliest, s) => (earliest === null || s.at < earliest ? s.at : earliest),
    null,
  );

/** Scheduled instances are found by their earliest due time; the rest are only looked up by id. */
export function instanceIndex(instance: WorkflowInstance<unknown, unknown>): DocumentIndex {
  const due = nextDueOf(instance);
  const status = instance.completed ? 'completed' : due === null ? 'waiting' : SCHEDULED;
  return { owner: null, status, sortAt: due, search: null };
}

export const SCHEDULED = 'scheduled';
