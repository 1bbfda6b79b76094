import { readTypedStream, type EventStore } from '#eventsourcing';
import {
  estimateTokensOfLength,
  investigationSegments,
  overtakesReport,
  type ChatFollowCommand,
  type ChatMessageState,
} from '#chat';
import { investigationEventCatalog, investigationStreamId } from '#investigations';
import type { ChatActor } from './chat.actor.js';
import { messageIn, type ChatStep } from './chat-steps.js';

/**
 * Tells an answer what the workflow following its investigation sends. Commands may
 * arrive out of order (one redelivered after its worker died): one that overtook an
 * earlier report tells the events in between first, read from the investigation's stream,
 * so the answer keeps the investigation's order and never waits on the late one.
 */
export class ChatFollowTeller {
  constructor(private readonly store: EventStore) {}

  async tell(actor: ChatActor, command: ChatFollowCommand, step: ChatStep): Promise<void> {
    if (command.type === 'FailResponse') {
      await step({ type: 'FailResponse', data: command.data });
      return;
    }
    const { messageId, after } = command.data;
    let message = messageIn((await actor.current()).state, messageId);
    const missed = overtakesReport(message, after) ? await this.between(message, after) : [];
    const segments = [...missed, ...(command.type === 'ReportInvestigation' ? command.data.segments : [])];
    if (segments.length > 0)
      message = messageIn(await step({ type: 'ReportInvestigation', data: { messageId, segments } }), messageId);
    if (command.type === 'CompleteResponse') {
      const totalTokens = estimateTokensOfLength(message.answerLength);
      await step({ type: 'CompleteResponse', data: { messageId, totalTokens, source: 'investigation' } });
    }
  }

  /** The reports of the events after the last one told, up to `after`. */
  private async between(message: ChatMessageState, after: number) {
    if (!message.investigationId) return [];
    const streamId = investigationStreamId(message.investigationId);
    const events = await readTypedStream(this.store, investigationEventCatalog, streamId, { maxCount: after });
    const told = events.filter((event) => event.revision <= message.followedRevision);
    const anomalies = told.filter((event) => event.type === 'AnomalyDetected').length;
    return investigationSegments(events.slice(told.length), anomalies);
  }
}
