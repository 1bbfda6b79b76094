import { expect } from '@jest/globals';
import type { Workflow, WorkflowCommand, WorkflowOutput } from '../workflows/workflow.js';

export interface WorkflowThen<Input, Output extends WorkflowCommand> {
  /** The input decides exactly these outputs, in this order. */
  then(expected: readonly WorkflowOutput<Input, Output>[]): void;
  /** The input decides nothing. */
  thenNothingHappened(): void;
}

/**
 * Given/when/then for a workflow: the instance's state is evolved from the given inputs,
 * the input is decided against it and the outputs compared. Pure, so a spec needs no host:
 *
 *   const given = WorkflowSpecification.for(investigationRunWorkflow);
 *   given([]).when(started).then([send(run), complete()]);
 */
export const WorkflowSpecification = {
  for<Input, State, Output extends WorkflowCommand>(workflow: Workflow<Input, State, Output>) {
    return (inputs: readonly Input[] = []) => ({
      when: (input: Input): WorkflowThen<Input, Output> => {
        const decide = () =>
          workflow.decide(
            input,
            inputs.reduce((state, given) => workflow.evolve(state, given), workflow.initialState()),
          );
        return {
          then: (expected) => expect(decide()).toEqual(expected),
          thenNothingHappened: () => expect(decide()).toEqual([]),
        };
      },
    });
  },
};
