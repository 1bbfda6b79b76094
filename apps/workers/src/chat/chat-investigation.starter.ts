import { parseInvestigationQuery } from '#analysis';
import { chunkAnswer, narrateInvestigationOpening, type ChatMessageState } from '#chat';
import type { StartInvestigation } from '#investigations';
import { deterministicUuid, type CommandBus } from '#platform';
import type { Causation } from '#eventsourcing';
import { messageIn, type ChatStep } from './chat-steps.js';

/** The investigation API's limit on a query; a longer chat message is cut to it. */
const MAX_QUERY_LENGTH = 1000;

/**
 * Chat that acts: an `investigate` message becomes a real investigation, started over the
 * bus like one from the investigations API. The link is recorded first, so the workflow
 * that tells the investigation in the answer (chat-investigation-following.workflow.ts)
 * reads it before any event of the investigation. Ids are derived from the message, so a
 * redelivered message starts nothing twice.
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
    const opening = chunkAnswer(narrateInvestigationOpening(investigationId, filters));
    await step({ type: 'RecordChunks', data: { messageId: message.messageId, firstSeq: 1, contents: opening } });
    const state = await step({ type: 'LinkInvestigation', data: { messageId: message.messageId, investigationId } });
    if (messageIn(state, message.messageId).status !== 'routed') return;
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
          issuedAt: this.clock().toISOString(),
        },
      },
    });
  }
}
