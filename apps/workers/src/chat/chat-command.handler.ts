import { DomainError, type ActorRegistry, type Causation } from '#eventsourcing';
import {
  routeToAgent,
  type ChatBusCommand,
  type ChatMessageState,
  type IntentClassifier,
  type SendChatMessage,
} from '#chat';
import {
  isRole,
  isStorageOutage,
  PermanentCommandError,
  type CommandContext,
  type Logger,
  type Principal,
  type RoutedCommand,
} from '#platform';
import type { ChatActor } from './chat.actor.js';
import type { ChatFollowTeller } from './chat-follow.teller.js';
import type { ChatResponder } from './chat-responder.js';
import { chatSteps, chatStepsInOne, messageIn, type ChatStep, type ChatStepsInOne } from './chat-steps.js';

/** The sender as the API authenticated them; a command without roles (an older API) grants nothing. */
const senderOf = (userId: string, data: SendChatMessage['data']): Principal => ({
  id: userId,
  roles: (data.senderRoles ?? []).filter(isRole),
});

export interface ChatCommandHandlerDeps {
  readonly actors: ActorRegistry<ChatActor>;
  readonly classifier: IntentClassifier;
  readonly responder: ChatResponder;
  readonly teller: ChatFollowTeller;
  readonly clock: () => Date;
  readonly maxDeliver: number;
  readonly logger: Logger;
}

/** Answers chat messages that arrive over the bus; every step goes through the session's actor. */
export class ChatCommandHandler {
  constructor(private readonly deps: ChatCommandHandlerDeps) {}

  async handle(routed: RoutedCommand, context: CommandContext): Promise<void> {
    const command = routed.command as ChatBusCommand & Pick<RoutedCommand['command'], 'metadata'>;
    const { commandId, correlationId, userId } = command.metadata;
    const causation: Causation = { commandId, correlationId, userId };
    const sessionId = routed.target.id;
    const actor = this.deps.actors.get(sessionId);
    const step = chatSteps(actor, causation, context, this.deps.clock);
    switch (command.type) {
      case 'SendChatMessage':
        return this.answering(command.data.messageId, step, context, async () =>
          this.send(
            sessionId,
            command.data,
            { step, inOne: chatStepsInOne(actor, causation, context, this.deps.clock) },
            causation,
            context,
          ),
        );
      case 'ReportInvestigation':
      case 'CompleteResponse':
      case 'FailResponse':
        return this.answering(command.data.messageId, step, context, () => this.deps.teller.tell(actor, command, step));
      default:
        throw new PermanentCommandError(`unknown chat command ${JSON.stringify((command as { type: unknown }).type)}`);
    }
  }

  private async send(
    sessionId: string,
    data: SendChatMessage['data'],
    steps: { readonly step: ChatStep; readonly inOne: ChatStepsInOne },
    causation: Causation,
    context: CommandContext,
  ): Promise<void> {
    const sender = senderOf(causation.userId, data);
    // Received and routed in one append, with the answer's first chunk when the message alone
    // decides the answer: the routing is decided here, from the message alone. The rest of
    // the answer is an append of its own, so in a burst every first chunk goes out before
    // any whole answer is written.
    const state = await steps.inOne([
      () => ({ type: 'ReceiveMessage', data }),
      (received) => {
        const message = received.messages[data.messageId];
        return message?.status === 'received' ? this.route(message) : null;
      },
      (routed) => {
        const message = routed.messages[data.messageId];
        return message?.status === 'routed' ? this.deps.responder.immediateOpening(message, sender) : null;
      },
    ]);
    if (!state.messages[data.messageId]) {
      // Not the session's owner: it lost a race for a new session, and the API answered it 404.
      this.deps.logger.warn(
        { sessionId, messageId: data.messageId, userId: causation.userId },
        'chat message from someone other than the session owner; not recorded',
      );
      return;
    }
    const message = messageIn(state, data.messageId);
    if (message.status !== 'routed') return;
    await this.deps.responder.respond(sessionId, state, message, sender, steps.step, causation, context);
  }

  private route(message: ChatMessageState): Extract<Parameters<ChatStep>[0], { type: 'RouteMessage' }> {
    const { intent, confidence } = this.deps.classifier.classify(message.content);
    const { agent, reason } = routeToAgent(intent, message.requestedAgentId);
    return {
      type: 'RouteMessage',
      data: { messageId: message.messageId, intent, confidence, agentId: agent.id, agentName: agent.name, reason },
    };
  }

  /**
   * Runs one answering step. A failure is redelivered while deliveries remain; on the last
   * one (or a refusal by the domain) the answer ends with the seed's error event, so a
   * client never waits on a stream that will not finish.
   */
  private async answering(
    messageId: string,
    step: ChatStep,
    context: CommandContext,
    work: () => Promise<void>,
  ): Promise<void> {
    try {
      await work();
    } catch (error) {
      // An unreachable store is waited out (StorageOutage), never turned into a failed answer.
      if (isStorageOutage(error)) throw error;
      const permanent = error instanceof DomainError;
      if (!permanent && (context.signal.aborted || context.deliveryCount < this.deps.maxDeliver)) throw error;
      this.deps.logger.error({ err: error, messageId }, 'chat answer failed');
      await step({
        type: 'FailResponse',
        data: {
          messageId,
          errorCode: 'AGENT_UNAVAILABLE',
          message: 'Serviço temporariamente indisponível',
          retryAfterSeconds: 5,
        },
      });
    }
  }
}
