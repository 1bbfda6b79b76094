import { assertNever, StreamHubs, streamSource, type EventStore, type LiveFeed, type Stored } from '#eventsourcing';
import { CHAT_FALLBACK_ENDPOINT, chatEventCatalog, chatStreamId, DETECTING_MESSAGE, type ChatEvent } from '#chat';
import { WireFrame } from '../streaming/wire-frame.js';
import type { OutboundMessage } from './ws-messages.js';

interface Answer {
  /** The answer's chunks by revision: folding an event twice changes nothing. */
  readonly chunks: Map<number, string>;
  agentId: string | null;
  agentName: string | null;
}

/**
 * The chat WebSocket's view of a session (seed: `agent_response`, `agent_status`,
 * `typing`, `user_message`). It keeps the text of every answer, so the final
 * `agent_response` carries the whole answer even after a resume mid-answer. Folding is
 * idempotent: a participant's history read and the hub's own reads may meet the same
 * events, in any order before an answer ends. Every participant, the sender included,
 * gets each `user_message`: all render the same conversation.
 */
export class ChatWsProjection {
  private readonly answers = new Map<string, Answer>();

  constructor(private readonly sessionId: string) {}

  /** Folds events the client already has, without producing messages. */
  seed(events: readonly Stored<ChatEvent>[]): void {
    for (const event of events) this.apply(event);
  }

  apply(event: Stored<ChatEvent>): OutboundMessage[] {
    const base = { id: event.revision, session_id: this.sessionId, message_id: event.data.messageId };
    switch (event.type) {
      case 'MessageReceived': {
        this.answerTo(event.data.messageId);
        const { content } = event.data;
        return [
          {
            ...base,
            type: 'user_message',
            content,
            user_id: event.metadata.userId,
            timestamp: event.metadata.occurredAt,
          },
        ];
      }
      case 'IntentDetectionStarted':
        return [{ ...base, type: 'agent_status', status: 'detecting', message: DETECTING_MESSAGE }];
      case 'IntentDetected':
        return [
          {
            ...base,
            type: 'agent_status',
            status: 'intent_detected',
            intent: event.data.intent,
            confidence: event.data.confidence,
          },
        ];
      case 'AgentSelected': {
        const { agentId, agentName } = event.data;
        Object.assign(this.answerTo(event.data.messageId), { agentId, agentName });
        const agent = { agent_id: agentId, agent_name: agentName };
        return [
          { ...base, type: 'agent_status', status: 'agent_selected', ...agent },
          { type: 'typing', session_id: this.sessionId, ...agent, is_typing: true },
        ];
      }
      case 'InvestigationLinked':
        return [
          { ...base, type: 'agent_status', status: 'investigating', investigation_id: event.data.investigationId },
        ];
      case 'ResponseChunkGenerated': {
        this.answerTo(event.data.messageId).chunks.set(event.revision, event.data.content);
        return [{ ...base, type: 'agent_response', content: event.data.content, is_final: false, seq: event.data.seq }];
      }
      case 'ResponseCompleted': {
        const answer = this.answerTo(event.data.messageId);
        const agent = { agent_id: answer.agentId, agent_name: answer.agentName };
        return [
          { type: 'typing', session_id: this.sessionId, ...agent, is_typing: false },
          {
            ...base,
            type: 'agent_response',
            content: contentOf(answer),
            is_final: true,
            ...agent,
            total_tokens: event.data.totalTokens,
            timestamp: event.metadata.occurredAt,
          },
        ];
      }
      case 'ResponseFailed': {
        const answer = this.answerTo(event.data.messageId);
        const { errorCode, message, retryAfterSeconds } = event.data;
        return [
          {
            type: 'typing',
            session_id: this.sessionId,
            agent_id: answer.agentId,
            agent_name: answer.agentName,
            is_typing: false,
          },
          {
            ...base,
            type: 'error',
            error_code: errorCode,
            message,
            fallback_endpoint: CHAT_FALLBACK_ENDPOINT,
            retry_after: retryAfterSeconds,
          },
        ];
      }
      default:
        return assertNever(event, 'chat event');
    }
  }

  private answerTo(messageId: string): Answer {
    let answer = this.answers.get(messageId);
    if (!answer) {
      answer = { chunks: new Map(), agentId: null, agentName: null };
      this.answers.set(messageId, answer);
    }
    return answer;
  }
}

function contentOf(answer: Answer): string {
  return [...answer.chunks.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, content]) => content)
    .join('');
}

/** One stored event as chat participants receive it: its messages, each encoded once for every participant. */
export interface ChatWsFrame {
  readonly id: number;
  readonly parts: readonly WireFrame[];
}

const asIs = (_id: number, message: OutboundMessage): OutboundMessage => message;

/**
 * The hubs of chat sessions in the participants' view: each event projected once per
 * process, whoever follows it. A session's fold lives while a participant holds it; each
 * participant seeds it with the history it read on joining, before it subscribes, so the
 * fold has seen every event before the ones any participant is sent.
 */
export class ChatWsHubs {
  readonly hubs: StreamHubs<ChatWsFrame>;
  private readonly folds = new Map<string, { readonly fold: ChatWsProjection; holders: number }>();

  constructor(store: EventStore, feed: LiveFeed) {
    this.hubs = new StreamHubs(
      (id) => streamSource(store, feed, id),
      { frame: (event) => this.frame(event) },
      {
        sliceSize: 1,
      },
    );
  }

  /** Seeds the session's fold with `seen` and keeps it until the returned release is called. */
  hold(sessionId: string, seen: readonly Stored<ChatEvent>[]): () => void {
    const streamId = chatStreamId(sessionId);
    let held = this.folds.get(streamId);
    if (!held) {
      held = { fold: new ChatWsProjection(sessionId), holders: 0 };
      this.folds.set(streamId, held);
    }
    held.holders++;
    held.fold.seed(seen);
    const entry = held;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--entry.holders === 0 && this.folds.get(streamId) === entry) this.folds.delete(streamId);
    };
  }

  private frame(recorded: Parameters<typeof chatEventCatalog.decode>[0]): ChatWsFrame {
    const event = chatEventCatalog.decode(recorded);
    const fold = this.folds.get(recorded.streamId)?.fold ?? new ChatWsProjection(sessionOf(recorded.streamId));
    const parts = fold.apply(event).map((message) => new WireFrame(event.revision, message, asIs));
    return { id: event.revision, parts };
  }
}

const sessionOf = (streamId: string): string => streamId.replace(/^chat-/, '');
