import type { ChatCommand, ChatMessageState, ChatState } from '#chat';
import type { CommandContext } from '#platform';
import type { Causation } from '#eventsourcing';
import type { ChatActor } from './chat.actor.js';

type StepCommand = ChatCommand extends infer C ? (C extends ChatCommand ? Omit<C, 'at'> : never) : never;

/** Records one fact about a session through its actor and returns the state after it. */
export type ChatStep = (command: StepCommand) => Promise<ChatState>;

export function chatSteps(
  actor: ChatActor,
  causation: Causation,
  context: CommandContext,
  clock: () => Date,
): ChatStep {
  return async (command) => {
    const decision = await actor.handle({ ...command, at: clock().toISOString() } as ChatCommand, causation);
    context.working();
    return decision.state;
  };
}

/** Records the facts of several commands in one append; each sees the state the ones before it leave. */
export type ChatStepsInOne = (steps: ReadonlyArray<(state: ChatState) => StepCommand | null>) => Promise<ChatState>;

export function chatStepsInOne(
  actor: ChatActor,
  causation: Causation,
  context: CommandContext,
  clock: () => Date,
): ChatStepsInOne {
  return async (steps) => {
    const at = clock().toISOString();
    const commands = steps.map((step) => (state: ChatState) => {
      const command = step(state);
      return command === null ? null : ({ ...command, at } as ChatCommand);
    });
    const decision = await actor.handleAll(commands, causation);
    context.working();
    return decision.state;
  };
}

export function messageIn(state: ChatState, messageId: string): ChatMessageState {
  const message = state.messages[messageId];
  if (!message) throw new Error(`message ${messageId} is not in session ${state.sessionId ?? '?'}`);
  return message;
}
