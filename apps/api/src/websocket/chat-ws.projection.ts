import { assertNever, type Stored } from '#eventsourcing';
import { CHAT_FALLBACK_ENDPOINT, DETECTING_MESSAGE, type ChatEvent } from '#chat';
import type { OutboundMessage } from './ws-messages.js';

interface Answer {
  content: string;
  agentId: string | null;
  agentName: string | null;
}

/**
 * The chat WebSocket's view of a session (seed: `agent_response`, `agent_status`,
 * `typing`, `user_message`). It keeps the text of answers still being written, so the
 * final `agent_response` carries the whole answer even after a resume mid-answer.
 * State changes only for events actually delivered, in order. Every participant, the
 * sender included, gets each `user_message`: all render the same conversation.
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
        this.answers.set(event.data.messageId, { content: '', agentId: null, agentName: null });
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
        const answer = this.answers.get(event.data.messageId);
        if (answer) Object.assign(answer, { agentId, agentName });
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
        const answer = this.answers.get(event.data.messageId);
        if (answer) answer.content += event.data.content;
        return [{ ...base, type: 'agent_response', content: event.data.content, is_final: false, seq: event.data.seq }];
      }
      case 'ResponseCompleted': {
        const answer = this.end(event.data.messageId);
        const agent = { agent_id: answer.agentId, agent_name: answer.agentName };
        return [
          { type: 'typing', session_id: this.sessionId, ...agent, is_typing: false },
          {
            ...base,
            type: 'agent_response',
            content: answer.content,
            is_final: true,
            ...agent,
            total_tokens: event.data.totalTokens,
            timestamp: event.metadata.occurredAt,
          },
        ];
      }
      case 'ResponseFailed': {
        const answer = this.end(event.data.messageId);
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

  private end(messageId: string): Answer {
    const answer = this.answers.get(messageId) ?? { content: '', agentId: null, agentName: null };
    this.answers.delete(messageId);
    return answer;
  }
}
