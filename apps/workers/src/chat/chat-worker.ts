import { trainIntentClassifier } from '#chat';
import type { CommandBus, CommandContext, LlmProvider, Logger, Metrics, RoutedCommand } from '#platform';
import type { EventStore } from '#eventsourcing';
import { createChatActors } from './chat.actor.js';
import { ChatAnswerWriter } from './chat-answer.writer.js';
import { ChatCommandHandler } from './chat-command.handler.js';
import { ChatFactsReader } from './chat-facts.reader.js';
import { ChatFollowTeller } from './chat-follow.teller.js';
import { ChatInvestigationStarter } from './chat-investigation.starter.js';
import { ChatResponder } from './chat-responder.js';

export interface ChatWorkerDeps {
  readonly store: EventStore;
  readonly bus: CommandBus;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly clock: () => Date;
  readonly maxDeliver: number;
  /** Null: every answer is composed from the projections. */
  readonly llm: LlmProvider | null;
}

export interface ChatWorker {
  handle(message: RoutedCommand, context: CommandContext): Promise<void>;
}

/** The chat side of a worker process: session actors, the intent classifier and the answerers. */
export function createChatWorker(deps: ChatWorkerDeps): ChatWorker {
  const logger = deps.logger.child({ component: 'chat' });
  const actors = createChatActors({
    store: deps.store,
    clock: deps.clock,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });
  const responder = new ChatResponder(
    new ChatFactsReader(deps.store),
    new ChatAnswerWriter(deps.llm, logger),
    new ChatInvestigationStarter(deps.bus, deps.clock),
  );
  const handler = new ChatCommandHandler({
    actors,
    classifier: trainIntentClassifier(),
    responder,
    teller: new ChatFollowTeller(deps.store),
    clock: deps.clock,
    maxDeliver: deps.maxDeliver,
    logger,
  });
  return { handle: (message, context) => handler.handle(message, context) };
}
