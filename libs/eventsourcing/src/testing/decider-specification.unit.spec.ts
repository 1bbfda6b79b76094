import { describe, expect, it } from '@jest/globals';
import type { Decider, DomainEvent } from '../decider/decider.js';
import { DomainError } from '../decider/domain-error.js';
import { DeciderSpecification } from './decider-specification.js';

type DoorCommand = { readonly type: 'Open' } | { readonly type: 'Lock'; readonly data: { readonly by: string } };
type DoorEvent = DomainEvent<'Opened', Record<string, never>> | DomainEvent<'Locked', { by: string }>;
type DoorState = 'closed' | 'open' | 'locked';

const door: Decider<DoorCommand, DoorEvent, DoorState> = {
  initialState: () => 'closed',
  evolve: (_state, event) => (event.type === 'Opened' ? 'open' : 'locked'),
  decide: (command, state) => {
    if (state === 'locked') throw new DomainError('DOOR_LOCKED', 'the door is locked');
    if (command.type === 'Open') return state === 'open' ? [] : [{ type: 'Opened', data: {} }];
    return [{ type: 'Locked', data: { by: command.data.by } }];
  },
  isTerminal: (state) => state === 'locked',
};

const given = DeciderSpecification.for(door);
const opened: DoorEvent = { type: 'Opened', data: {} };
const locked: DoorEvent = { type: 'Locked', data: { by: 'ana' } };

describe('DeciderSpecification', () => {
  it('passes when the command decides the expected events from the folded state', () => {
    given().when({ type: 'Open' }).then([opened]);
    given([opened])
      .when({ type: 'Lock', data: { by: 'ana' } })
      .then([locked]);
    given([opened]).when({ type: 'Open' }).thenNothingHappened();
  });

  it('passes when the command is refused as expected', () => {
    given([locked]).when({ type: 'Open' }).thenFailsWith('DOOR_LOCKED');
    given([locked])
      .when({ type: 'Open' })
      .thenThrows(DomainError, (error) => expect(error.message).toBe('the door is locked'));
  });

  it('fails when the decided events differ, or when something was decided', () => {
    expect(() => given().when({ type: 'Open' }).then([locked])).toThrow();
    expect(() => given().when({ type: 'Open' }).thenNothingHappened()).toThrow();
  });

  it('fails when a refusal was expected but events were decided, or the code differs', () => {
    expect(() => given().when({ type: 'Open' }).thenThrows(DomainError)).toThrow(/expected the command to be refused/);
    expect(() => given([locked]).when({ type: 'Open' }).thenFailsWith('OTHER_CODE')).toThrow();
    expect(() => given([locked]).when({ type: 'Open' }).thenThrows(RangeError)).toThrow();
  });
});
