import { expect } from '@jest/globals';
import { foldEvents, type Decider } from '../decider/decider.js';
import { DomainError } from '../decider/domain-error.js';

type ErrorType<T extends Error> = abstract new (...args: never[]) => T;

export interface DeciderThen<E> {
  /** The command decides exactly these events, in this order. */
  then(expected: readonly E[]): void;
  /** The command decides no event: a redelivery, or work already done. */
  thenNothingHappened(): void;
  /** The command is refused with an error of this type, which `check` may inspect further. */
  thenThrows<T extends Error>(type: ErrorType<T>, check?: (error: T) => void): void;
  /** The command is refused with a DomainError carrying this wire `error_code`. */
  thenFailsWith(code: string): void;
}

export interface DeciderWhen<C, E> {
  when(command: C): DeciderThen<E>;
}

/**
 * Given/when/then for a decider: state is folded from the given events, the command is
 * decided against it, and the outcome compared. Pure, so a spec needs no store:
 *
 *   const given = DeciderSpecification.for(investigationDecider);
 *   given([started]).when(cancel).then([cancelled]);
 */
export const DeciderSpecification = {
  for<C, E, S>(decider: Pick<Decider<C, E, S>, 'initialState' | 'evolve' | 'decide'>) {
    return (events: readonly E[] = []): DeciderWhen<C, E> => ({
      when: (command) => {
        const decide = (): readonly E[] => decider.decide(command, foldEvents(decider, decider.initialState(), events));
        return {
          then: (expected) => expect(decide()).toEqual(expected),
          thenNothingHappened: () => expect(decide()).toEqual([]),
          thenThrows: (type, check) => {
            const error = caught(decide, type);
            check?.(error);
          },
          thenFailsWith: (code) => expect(caught(decide, DomainError).code).toBe(code),
        };
      },
    });
  },
};

function caught<T extends Error>(decide: () => unknown, type: ErrorType<T>): T {
  let outcome: unknown;
  try {
    outcome = decide();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as T;
  }
  throw new Error(`expected the command to be refused with ${type.name}, but it decided ${JSON.stringify(outcome)}`);
}
