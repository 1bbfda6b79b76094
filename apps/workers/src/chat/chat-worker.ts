import { trainIntentClassifier } from '#chat';
import type { CommandBus, CommandContext, LlmProvider, Logger, Metrics, RoutedCommand } from '#platform';
import { LiveFeed, type EventStore } from '#eventsourcing';
import { createChatActors } from './chat.actor.js';
import { ChatAnswerWriter } from './chat-answer.writer.js';
import { ChatCommandHandler } from './chat-command.handler.js';
import { ChatFactsReader } from './chat-facts.reader.js';
import { ChatInvestigationFollower } from './chat-investigation.follower.js';
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
  /** How long one FollowChatInvestigation hop holds a worker slot. */
  readonly followWindowMs?: number;
}

export interface ChatWorker {
  handle(message: RoutedCommand, context: CommandContext): Promise<void>;
  /** Ends the worker's live subscription (the store's feed). */
  close(): void;
}

/** The chat side of a worker process: session actors, the intent classifier and the answerers. */
export function createChatWorker(deps: ChatWorkerDeps): ChatWorker {
  const feed = new LiveFeed(deps.store);
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
  const follower = new ChatInvestigationFollower({
    store: deps.store,
    feed,
    bus: deps.bus,
    clock: deps.clock,
    windowMs: deps.followWindowMs ?? 5000,
  });
  const handler = new ChatCommandHandler({
    actors,
    classifier: trainIntentClassifier(),
    responder,
    follower,
    clock: deps.clock,
    maxDeliver: deps.maxDeliver,
    logger,
  });
  return { handle: (message, context) => handler.handle(message, context), close: () => feed.close() };
}
