import { parseInvestigationQuery } from '#analysis';
import { chunkAnswer, narrateInvestigationOpening, type ChatMessageState, type FollowChatInvestigation } from '#chat';
import type { StartInvestigation } from '#investigations';
import { deterministicUuid, type CommandBus } from '#platform';
import type { Causation } from '#eventsourcing';
import { messageIn, type ChatStep } from './chat-steps.js';

/** The investigation API's limit on a query; a longer chat message is cut to it. */
const MAX_QUERY_LENGTH = 1000;

export const followCommandId = (sessionId: string, messageId: string, hop: number): string =>
  deterministicUuid('chat-follow-investigation', sessionId, messageId, String(hop));

/**
 * Chat that acts: an `investigate` message becomes a real investigation, started over the
 * bus like one from the investigations API, then followed by FollowChatInvestigation hops.
 * Ids are derived from the message, so a redelivered message starts nothing twice.
 */
export class ChatInvestigationStarter {
  constructor(
    private readonly bus: CommandBus,
    private readonly clock: () => Date,
  ) {}

  async start(sessionId: string, message: ChatMessageState, step: ChatStep, causation: Causation): Promise<void> {
    const investigationId =
      message.investigationId ?? deterministicUuid('chat-investigation', sessionId, message.messageId);
    const { filters } = parseInvestigationQuery(message.content);
    const opening = chunkAnswer(narrateInvestigationOpening(investigationId, filters), 3);
    await step({ type: 'RecordChunks', data: { messageId: message.messageId, firstSeq: 1, contents: opening } });
    const start: StartInvestigation = {
      type: 'StartInvestigation',
      data: {
        investigationId,
        query: message.content.trim().slice(0, MAX_QUERY_LENGTH),
        dataSource: 'contracts',
        filters,
        anomalyTypes: [],
      },
    };
    await this.bus.send({
      target: { aggregate: 'investigation', id: investigationId },
      command: {
        ...start,
        metadata: {
          ...causation,
          commandId: deterministicUuid('chat-start-investigation', sessionId, message.messageId),
          issuedAt: this.now(),
        },
      },
    });
    const state = await step({ type: 'LinkInvestigation', data: { messageId: message.messageId, investigationId } });
    if (messageIn(state, message.messageId).status !== 'routed') return;
    const follow: FollowChatInvestigation = {
      type: 'FollowChatInvestigation',
      data: { sessionId, messageId: message.messageId, investigationId, hop: 0 },
    };
    await this.bus.send({
      target: { aggregate: 'chat', id: sessionId },
      command: {
        ...follow,
        metadata: { ...causation, commandId: followCommandId(sessionId, message.messageId, 0), issuedAt: this.now() },
      },
    });
  }

  private now(): string {
    return this.clock().toISOString();
  }
}
