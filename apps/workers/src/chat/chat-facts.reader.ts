import { readTypedPages, type EventStore } from '#eventsourcing';
import {
  chatEventCatalog,
  chatStreamId,
  emptyChatHistory,
  evolveChatHistory,
  type ChatHistory,
  type ChatState,
} from '#chat';
import {
  emptyInvestigationSummary,
  evolveInvestigationSummary,
  investigationEventCatalog,
  investigationStreamId,
  type InvestigationSummary,
} from '#investigations';
import { mayActOn, type Principal } from '#platform';

const INVESTIGATION_ID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/i;

/** Reads the projections a chat answer is composed from. */
export class ChatFactsReader {
  constructor(private readonly store: EventStore) {}

  async investigation(investigationId: string): Promise<InvestigationSummary | null> {
    let doc: InvestigationSummary | null = null;
    const streamId = investigationStreamId(investigationId);
    for await (const event of readTypedPages(this.store, investigationEventCatalog, streamId)) {
      doc = evolveInvestigationSummary(doc ?? emptyInvestigationSummary(investigationId), event);
    }
    return doc;
  }

  /**
   * The investigation a question is about, among those the sender may GET: one it names by
   * id, else the conversation's latest. One the sender may not see is treated as unknown, so
   * the answer tells nothing a 404 would not.
   */
  async investigationFor(state: ChatState, question: string, sender: Principal): Promise<InvestigationSummary | null> {
    const named = INVESTIGATION_ID.exec(question)?.[0]?.toLowerCase();
    if (named) {
      const summary = await this.visible(named, sender);
      if (summary) return summary;
    }
    return state.lastInvestigationId ? this.visible(state.lastInvestigationId, sender) : null;
  }

  private async visible(investigationId: string, sender: Principal): Promise<InvestigationSummary | null> {
    const summary = await this.investigation(investigationId);
    return summary?.user_id != null && mayActOn(sender, 'investigation:watch', summary.user_id) ? summary : null;
  }

  async history(sessionId: string): Promise<ChatHistory> {
    let doc = emptyChatHistory(sessionId);
    for await (const event of readTypedPages(this.store, chatEventCatalog, chatStreamId(sessionId)))
      doc = evolveChatHistory(doc, event);
    return doc;
  }
}
